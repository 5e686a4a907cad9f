using System.Buffers.Binary;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dhcp;

/// <summary>
/// Strict, bounded DHCPv4 parser. Every read is checked against the span; malformed input yields a
/// <see cref="DhcpParseError"/>, never an exception. Options are gathered in two passes over the option
/// fields — first summing each code's length, then copying — so repeated codes are joined (RFC 3396 §7)
/// into one contiguous value without per-option allocation.
/// </summary>
public static class DhcpMessageParser
{
    public static DhcpParseError Parse(ReadOnlySpan<byte> packet, DhcpMessage message)
    {
        message.Clear();
        if (packet.Length < DhcpMessage.OptionsOffset) return DhcpParseError.TooShort;

        var op = packet[0];
        if (op is not (1 or 2)) return DhcpParseError.BadOperation;
        if (packet[2] > DhcpMessage.ClientHardwareAddressLength) return DhcpParseError.BadHardwareLength;
        if (!packet.Slice(DhcpMessage.HeaderLength, 4).SequenceEqual(DhcpMessage.MagicCookie))
            return DhcpParseError.BadMagicCookie;

        message.Operation = (DhcpOperation)op;
        message.HardwareType = packet[1];
        message.HardwareAddressLength = packet[2];
        message.Hops = packet[3];
        message.TransactionId = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        message.Seconds = BinaryPrimitives.ReadUInt16BigEndian(packet[8..]);
        message.Flags = BinaryPrimitives.ReadUInt16BigEndian(packet[10..]);
        message.ClientAddress = Ipv4Address.Read(packet[12..]);
        message.YourAddress = Ipv4Address.Read(packet[16..]);
        message.NextServerAddress = Ipv4Address.Read(packet[20..]);
        message.GatewayAddress = Ipv4Address.Read(packet[24..]);
        packet.Slice(28, DhcpMessage.ClientHardwareAddressLength).CopyTo(message.ClientHardwareAddressField);
        packet.Slice(DhcpMessage.ServerNameOffset, DhcpMessage.ServerNameLength).CopyTo(message.ServerNameField);
        packet.Slice(DhcpMessage.FileOffset, DhcpMessage.FileLength).CopyTo(message.FileField);

        var main = packet[DhcpMessage.OptionsOffset..];
        var file = packet.Slice(DhcpMessage.FileOffset, DhcpMessage.FileLength);
        var sname = packet.Slice(DhcpMessage.ServerNameOffset, DhcpMessage.ServerNameLength);

        // Pass 1: validate framing, size every code's joined value and note the order codes first appear in.
        Span<int> lengths = stackalloc int[256];
        lengths.Clear();
        Span<byte> order = stackalloc byte[256];
        var count = 0;
        var overload = -1;
        var error = Scan(main, lengths, order, ref count, isMainField: true, ref overload);
        if (error != DhcpParseError.None) return error;
        if (overload == -1) overload = 0;
        else if (overload is < 1 or > 3) return DhcpParseError.BadOverload;
        // RFC 3396 §7: the aggregate buffer is the options field, then file, then sname.
        var misplaced = -1;
        if ((overload & 1) != 0 && (error = Scan(file, lengths, order, ref count, false, ref misplaced)) != DhcpParseError.None)
            return error;
        if ((overload & 2) != 0 && (error = Scan(sname, lengths, order, ref count, false, ref misplaced)) != DhcpParseError.None)
            return error;
        if (misplaced != -1) return DhcpParseError.BadOverload;
        message.Overload = (byte)overload;

        // Pass 2: lay the values out back to back in first-seen order, then copy each fragment to its cursor.
        var total = 0;
        foreach (var l in lengths) total += l;
        var data = message.Options.ResetForParse(total);
        Span<int> cursor = stackalloc int[256];
        var at = 0;
        for (var k = 0; k < count; k++)
        {
            var code = order[k];
            message.Options.DefineParsed(code, at, lengths[code]);
            cursor[code] = at;
            at += lengths[code];
        }
        Copy(main, data, cursor);
        if ((overload & 1) != 0) Copy(file, data, cursor);
        if ((overload & 2) != 0) Copy(sname, data, cursor);

        return Validate(message.Options);
    }

    /// <summary>
    /// Option 53 of a request without parsing the rest: for choosing what to drop when the server is behind, so
    /// it is cheap and lenient (the options field only, no RFC 3396 joining); <see cref="DhcpMessageType.None"/>
    /// when the datagram has no readable option 53 there. <see cref="Parse"/> still judges the message.
    /// </summary>
    public static DhcpMessageType PeekMessageType(ReadOnlySpan<byte> packet)
    {
        if (packet.Length <= DhcpMessage.OptionsOffset || !packet.Slice(DhcpMessage.HeaderLength, 4).SequenceEqual(DhcpMessage.MagicCookie))
            return DhcpMessageType.None;
        var field = packet[DhcpMessage.OptionsOffset..];
        var i = 0;
        while (i < field.Length)
        {
            var code = field[i];
            if (code == (byte)DhcpOptionCode.End) break;
            if (code == (byte)DhcpOptionCode.Pad)
            {
                i++;
                continue;
            }
            if (i + 1 >= field.Length) break;
            var len = field[i + 1];
            if (code == (byte)DhcpOptionCode.MessageType)
                return len == 1 && i + 2 < field.Length ? (DhcpMessageType)field[i + 2] : DhcpMessageType.None;
            i += 2 + len;
        }
        return DhcpMessageType.None;
    }

    private static DhcpParseError Scan(
        ReadOnlySpan<byte> field, Span<int> lengths, Span<byte> order, ref int count, bool isMainField, ref int overload)
    {
        var i = 0;
        while (true)
        {
            if (i >= field.Length) return DhcpParseError.MissingEnd;
            var code = field[i];
            if (code == (byte)DhcpOptionCode.End) return DhcpParseError.None;
            if (code == (byte)DhcpOptionCode.Pad)
            {
                i++;
                continue;
            }
            if (i + 1 >= field.Length) return DhcpParseError.OptionOverrun;
            var len = field[i + 1];
            if (i + 2 + len > field.Length) return DhcpParseError.OptionOverrun;
            if (code == (byte)DhcpOptionCode.Overload)
            {
                // RFC 2132 §9.3: option 52 is one byte, appears once, and only in the options field.
                overload = isMainField && len == 1 && overload == -1 ? field[i + 2] : 0xFF;
            }
            var seen = false;
            for (var k = 0; k < count && !seen; k++) seen = order[k] == code;
            if (!seen) order[count++] = code;
            lengths[code] += len;
            i += 2 + len;
        }
    }

    // Framing was checked by Scan; this pass only copies.
    private static void Copy(ReadOnlySpan<byte> field, Span<byte> data, Span<int> cursor)
    {
        var i = 0;
        while (i < field.Length)
        {
            var code = field[i];
            if (code == (byte)DhcpOptionCode.End) return;
            if (code == (byte)DhcpOptionCode.Pad)
            {
                i++;
                continue;
            }
            var len = field[i + 1];
            field.Slice(i + 2, len).CopyTo(data[cursor[code]..]);
            cursor[code] += len;
            i += 2 + len;
        }
    }

    private static DhcpParseError Validate(DhcpOptionSet options)
    {
        if (!options.TryGet(DhcpOptionCode.MessageType, out var type)) return DhcpParseError.MissingMessageType;
        if (type.Length != 1) return DhcpParseError.BadOptionLength;
        if (type[0] is < 1 or > 8) return DhcpParseError.BadMessageType;
        if (!HasLength(options, DhcpOptionCode.RequestedIpAddress, 4) ||
            !HasLength(options, DhcpOptionCode.ServerIdentifier, 4) ||
            !HasLength(options, DhcpOptionCode.LeaseTime, 4) ||
            !HasLength(options, DhcpOptionCode.MaximumMessageSize, 2))
            return DhcpParseError.BadOptionLength;
        // RFC 2132 §9.14: a client identifier is a type byte plus at least one byte.
        if (options.TryGet(DhcpOptionCode.ClientIdentifier, out var id) && id.Length < 2)
            return DhcpParseError.BadOptionLength;
        // RFC 4578 §2.1: a list of 16-bit architecture types.
        if (options.TryGet(DhcpOptionCode.ClientSystemArchitecture, out var arch) && (arch.Length == 0 || arch.Length % 2 != 0))
            return DhcpParseError.BadOptionLength;
        return DhcpParseError.None;
    }

    private static bool HasLength(DhcpOptionSet options, DhcpOptionCode code, int length) =>
        !options.TryGet(code, out var v) || v.Length == length;
}
