using System.Buffers.Binary;
using NetbootPi.Protocols.Dns;

namespace NetbootPi.Agent.Dns;

/// <summary>
/// A checked response from an upstream resolver, kept as its bytes and the offsets the box edits when it passes
/// the response on: the id, the question's spelling, the TTLs (aged when served from the cache) and the OPT record.
/// </summary>
public sealed class UpstreamAnswer
{
    private readonly byte[] _message;
    private readonly int[] _ttlOffsets;
    private readonly int _questionEnd, _additionalStart, _optStart;
    private readonly bool _optIsLast;

    public UpstreamAnswer(ReadOnlySpan<byte> message, DnsResponseScan scan)
    {
        _message = message.ToArray();
        _ttlOffsets = [.. scan.TtlOffsets];
        _questionEnd = scan.QuestionEnd;
        _additionalStart = scan.AdditionalStart;
        _optStart = scan.OptStart;
        _optIsLast = scan.OptIsLast;
        Header = scan.Header;
        MinAnswerTtl = scan.MinAnswerTtl;
        NegativeTtl = scan.NegativeTtl;
    }

    public DnsHeader Header { get; }
    public DnsResponseCode ResponseCode => Header.ResponseCode;
    public uint MinAnswerTtl { get; }
    public uint? NegativeTtl { get; }
    public int Length => _message.Length;

    /// <summary>
    /// Writes the response for <paramref name="client"/> into <paramref name="destination"/>: the client's id and
    /// spelling, TTLs less <paramref name="ageSeconds"/>, no OPT for a client that sent none (RFC 6891 §7), the box's
    /// own UDP size in an OPT it passes on, AA cleared (the box is not the authority), and TC with the question alone
    /// when the whole does not fit in <paramref name="limit"/>. Returns the length written.
    /// </summary>
    public int WriteFor(in DnsClientQuestion client, uint ageSeconds, Span<byte> destination, int limit)
    {
        var end = _message.Length;
        var additional = Header.AdditionalCount;
        if (_optStart >= 0 && !client.HasEdns)
        {
            // The OPT record is almost always last; otherwise the additional section goes (it is optional anyway).
            (end, additional) = _optIsLast ? (_optStart, (ushort)(additional - 1)) : (_additionalStart, (ushort)0);
        }
        var flags = (ushort)(Header.Flags & ~DnsHeader.AuthoritativeFlag);
        var truncated = end > limit;
        if (truncated)
        {
            end = _questionEnd;
            flags |= DnsHeader.TruncatedFlag;
        }
        var m = destination[..end];
        _message.AsSpan(0, end).CopyTo(m);
        new DnsHeader(client.Id, flags, 1, truncated ? (ushort)0 : Header.AnswerCount, truncated ? (ushort)0 : Header.AuthorityCount,
            truncated ? (ushort)0 : additional).WriteTo(m);
        // The question as the client spelled it: the same name, so the same length on the wire.
        Span<byte> name = stackalloc byte[DnsName.MaxLength + 1];
        var length = DnsName.Encode(client.Name, name);
        if (length > 0 && length == _questionEnd - 4 - DnsHeader.Size) name[..length].CopyTo(m[DnsHeader.Size..]);
        if (truncated) return end;
        foreach (var at in _ttlOffsets)
        {
            if (at + 4 > end) continue;
            var ttl = BinaryPrimitives.ReadUInt32BigEndian(m[at..]);
            BinaryPrimitives.WriteUInt32BigEndian(m[at..], ttl > ageSeconds ? ttl - ageSeconds : 0);
        }
        if (_optStart >= 0 && _optStart + 11 <= end)
            BinaryPrimitives.WriteUInt16BigEndian(m[(_optStart + 3)..], DnsAnswerer.MaxUdpPayload);
        return end;
    }
}
