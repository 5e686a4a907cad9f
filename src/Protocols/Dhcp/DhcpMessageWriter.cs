using System.Buffers.Binary;

namespace NetbootPi.Protocols.Dhcp;

/// <summary>
/// Serializes a <see cref="DhcpMessage"/> into a caller-owned buffer within a size limit. Options are emitted
/// in the set's insertion order (callers insert by priority); required options always go in, optional ones
/// that do not fit are dropped, and the <c>file</c>/<c>sname</c> fields are borrowed for options through
/// option 52 when they are unused and that saves an option (RFC 2131 §4.1, RFC 2132 §9.3). Values longer
/// than 255 bytes are split into consecutive instances of the same code (RFC 3396 §6). Option 82 is echoed
/// last in the options field (RFC 3046 §2.2).
/// </summary>
public static class DhcpMessageWriter
{
    /// <summary>
    /// RFC 1542 §2.1 and common client practice: BOOTP messages are at least 300 bytes; shorter ones are padded.
    /// </summary>
    public const int MinimumLength = 300;

    private const int Main = 0, File = 1, Sname = 2, Dropped = -1;

    /// <summary>The DHCP payload a client accepts, from its option 57 (RFC 2132 §9.10), never below 576 − 28.</summary>
    public static int MaxPayloadFor(DhcpMessage request)
    {
        var mms = request.Options.TryGetUInt16(DhcpOptionCode.MaximumMessageSize, out var v) ? v : 0;
        return Math.Max(mms, DhcpMessage.MinimumMaximumMessageSize) - DhcpMessage.IpUdpHeaderLength;
    }

    /// <summary>
    /// Writes <paramref name="message"/> into <paramref name="destination"/> using at most
    /// <paramref name="maxLength"/> bytes. Returns false (writing nothing useful) only when the required options
    /// cannot fit at all; <paramref name="dropped"/> counts optional options left out.
    /// </summary>
    public static bool TryWrite(DhcpMessage message, Span<byte> destination, int maxLength, out int written, out int dropped)
    {
        written = 0;
        dropped = 0;
        maxLength = Math.Min(maxLength, destination.Length);
        if (maxLength < MinimumLength) return false;
        var options = message.Options;

        Span<sbyte> placement = stackalloc sbyte[256];
        var relaySize = options.TryGet(DhcpOptionCode.RelayAgentInformation, out var relay) ? EncodedSize(relay.Length) : 0;
        var fileFree = message.FileField.IndexOfAnyExcept((byte)0) < 0;
        var snameFree = message.ServerNameField.IndexOfAnyExcept((byte)0) < 0;

        var plain = Plan(options, placement, maxLength, relaySize, useFile: false, useSname: false, out var plainDropped);
        var overload = 0;
        if (!plain || plainDropped > 0)
        {
            Span<sbyte> alt = stackalloc sbyte[256];
            if (Plan(options, alt, maxLength, relaySize, fileFree, snameFree, out var altDropped) &&
                (!plain || altDropped < plainDropped))
            {
                alt.CopyTo(placement);
                plainDropped = altDropped;
                plain = true;
                for (var k = 0; k < options.Count; k++)
                {
                    var p = alt[(byte)options.CodeAt(k)];
                    if (p == File) overload |= 1;
                    else if (p == Sname) overload |= 2;
                }
            }
        }
        if (!plain) return false;
        dropped = plainDropped;

        var d = destination[..maxLength];
        d.Clear();
        WriteHeader(message, d, overload);
        var at = DhcpMessage.OptionsOffset;
        at = WriteField(options, placement, Main, d, at);
        if (overload != 0)
        {
            d[at++] = (byte)DhcpOptionCode.Overload;
            d[at++] = 1;
            d[at++] = (byte)overload;
        }
        if (relaySize > 0) at = WriteOption(DhcpOptionCode.RelayAgentInformation, relay, d, at);
        d[at++] = (byte)DhcpOptionCode.End;
        if ((overload & 1) != 0)
            d[WriteField(options, placement, File, d, DhcpMessage.FileOffset)] = (byte)DhcpOptionCode.End;
        if ((overload & 2) != 0)
            d[WriteField(options, placement, Sname, d, DhcpMessage.ServerNameOffset)] = (byte)DhcpOptionCode.End;
        written = Math.Max(at, MinimumLength);
        return true;
    }

    /// <summary>Bytes a value takes on the wire once split into 255-byte instances, each with code and length.</summary>
    public static int EncodedSize(int valueLength) =>
        valueLength == 0 ? 2 : valueLength + 2 * ((valueLength + 254) / 255);

    private static bool Plan(DhcpOptionSet options, Span<sbyte> placement, int maxLength, int relaySize,
        bool useFile, bool useSname, out int dropped)
    {
        dropped = 0;
        var overloadSize = useFile || useSname ? 3 : 0;
        Span<int> free =
        [
            maxLength - DhcpMessage.OptionsOffset - 1 - relaySize - overloadSize,
            useFile ? DhcpMessage.FileLength - 1 : -1,
            useSname ? DhcpMessage.ServerNameLength - 1 : -1,
        ];
        if (free[Main] < 0) return false;
        // Required options first so that optional ones never take their room, then optional ones by priority.
        for (var pass = 0; pass < 2; pass++)
        {
            for (var k = 0; k < options.Count; k++)
            {
                var code = options.CodeAt(k);
                // Option 82 goes last, option 52 is the writer's own choice (below): a parsed message's are not copied.
                if (code is DhcpOptionCode.RelayAgentInformation or DhcpOptionCode.Overload) continue;
                var required = options.IsRequired(code);
                if (required != (pass == 0)) continue;
                options.TryGet(code, out var value);
                var size = EncodedSize(value.Length);
                var area = Dropped;
                for (var a = Main; a <= Sname && area == Dropped; a++)
                    if (free[a] >= size) area = a;
                if (area == Dropped)
                {
                    if (required) return false;
                    dropped++;
                }
                else free[area] -= size;
                placement[(byte)code] = (sbyte)area;
            }
        }
        return true;
    }

    private static int WriteField(DhcpOptionSet options, ReadOnlySpan<sbyte> placement, int area, Span<byte> d, int at)
    {
        // Required options were placed first; emit in insertion order within the field all the same,
        // since the order among placed options is the caller's priority order.
        for (var k = 0; k < options.Count; k++)
        {
            var code = options.CodeAt(k);
            if (code is DhcpOptionCode.RelayAgentInformation or DhcpOptionCode.Overload || placement[(byte)code] != area) continue;
            options.TryGet(code, out var value);
            at = WriteOption(code, value, d, at);
        }
        return at;
    }

    private static int WriteOption(DhcpOptionCode code, ReadOnlySpan<byte> value, Span<byte> d, int at)
    {
        do
        {
            var chunk = Math.Min(value.Length, 255);
            d[at] = (byte)code;
            d[at + 1] = (byte)chunk;
            value[..chunk].CopyTo(d[(at + 2)..]);
            at += 2 + chunk;
            value = value[chunk..];
        } while (!value.IsEmpty);
        return at;
    }

    private static void WriteHeader(DhcpMessage m, Span<byte> d, int overload)
    {
        d[0] = (byte)m.Operation;
        d[1] = m.HardwareType;
        d[2] = m.HardwareAddressLength;
        d[3] = m.Hops;
        BinaryPrimitives.WriteUInt32BigEndian(d[4..], m.TransactionId);
        BinaryPrimitives.WriteUInt16BigEndian(d[8..], m.Seconds);
        BinaryPrimitives.WriteUInt16BigEndian(d[10..], m.Flags);
        m.ClientAddress.WriteTo(d[12..]);
        m.YourAddress.WriteTo(d[16..]);
        m.NextServerAddress.WriteTo(d[20..]);
        m.GatewayAddress.WriteTo(d[24..]);
        m.ClientHardwareAddressField.CopyTo(d[28..]);
        if ((overload & 2) == 0) m.ServerNameField.CopyTo(d[DhcpMessage.ServerNameOffset..]);
        if ((overload & 1) == 0) m.FileField.CopyTo(d[DhcpMessage.FileOffset..]);
        DhcpMessage.MagicCookie.CopyTo(d[DhcpMessage.HeaderLength..]);
    }
}
