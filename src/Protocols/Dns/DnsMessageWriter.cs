using System.Buffers.Binary;
using System.Text;

namespace NetbootPi.Protocols.Dns;

/// <summary>
/// Builds one message at a time into a buffer it owns and reuses (one writer per receive loop). Names are
/// compressed against the names already written (RFC 1035 §4.1.4), comparing without regard to case so that a
/// record owned by the queried name points at the question and keeps the client's spelling. A record that does
/// not fit under the limit is not written at all and the call returns false: the caller decides to truncate.
/// </summary>
public sealed class DnsMessageWriter
{
    /// <summary>The largest message: TCP's two-byte length prefix (RFC 1035 §4.2.2).</summary>
    public const int MaxMessageSize = 65535;

    private const int MaxCompressionEntries = 256;

    private readonly byte[] _buffer;
    private readonly (string Name, int Start, int Offset)[] _names = new (string, int, int)[MaxCompressionEntries];
    private int _nameCount;
    private int _length;
    private int _limit;
    private DnsHeader _header;
    private DnsSection _section;

    /// <param name="capacity">The largest message this writer builds: <see cref="MaxMessageSize"/> for answers over TCP,
    /// less for queries and UDP-only errors, which never need more than a few hundred bytes.</param>
    public DnsMessageWriter(int capacity = MaxMessageSize) =>
        _buffer = new byte[Math.Clamp(capacity, DnsHeader.Size, MaxMessageSize)];

    /// <summary>The message written so far (the header reflects every record written).</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public int Length => _length;

    public DnsHeader Header => _header;

    /// <summary>Starts a message with <paramref name="id"/> and <paramref name="flags"/>, at most <paramref name="limit"/> bytes long.</summary>
    public void Begin(ushort id, ushort flags, int limit)
    {
        _limit = Math.Clamp(limit, DnsHeader.Size, _buffer.Length);
        _header = new DnsHeader(id, flags, 0, 0, 0, 0);
        _length = DnsHeader.Size;
        _nameCount = 0;
        _section = DnsSection.Answer;
        _header.WriteTo(_buffer);
    }

    /// <summary>Moves the limit (never below what is written): room kept back for an OPT record is given back before it is written.</summary>
    public void SetLimit(int limit) => _limit = Math.Clamp(limit, _length, _buffer.Length);

    public void SetFlags(ushort flags)
    {
        _header = _header with { Flags = flags };
        _header.WriteTo(_buffer);
    }

    public void SetResponseCode(DnsResponseCode code) => SetFlags((ushort)((_header.Flags & ~0xF) | ((int)code & 0xF)));

    /// <summary>A position to return to with <see cref="Rewind"/>, undoing what was written since.</summary>
    public (int Length, int Names, DnsHeader Header, DnsSection Section) Mark() => (_length, _nameCount, _header, _section);

    public void Rewind((int Length, int Names, DnsHeader Header, DnsSection Section) mark)
    {
        (_length, _nameCount, _header, _section) = mark;
        _header.WriteTo(_buffer);
    }

    public bool TryWriteQuestion(string name, DnsRecordType type, ushort @class)
    {
        var mark = Mark();
        if (!TryWriteName(name) || !TryWriteUInt16((ushort)type) || !TryWriteUInt16(@class))
        {
            Rewind(mark);
            return false;
        }
        _header = _header with { QuestionCount = (ushort)(_header.QuestionCount + 1) };
        _header.WriteTo(_buffer);
        return true;
    }

    /// <summary>Writes <paramref name="record"/> into <paramref name="section"/>; sections go in order, never back.</summary>
    public bool TryWriteRecord(DnsSection section, DnsRecord record)
    {
        if (section < _section) throw new InvalidOperationException($"{section} records after {_section} records");
        var mark = Mark();
        if (!TryWriteName(record.Name) || !TryWriteUInt16((ushort)record.Type) || !TryWriteUInt16(1) || !TryWriteUInt32(record.Ttl)
            || !TryWriteData(record))
        {
            Rewind(mark);
            return false;
        }
        Count(section);
        return true;
    }

    /// <summary>The OPT pseudo-record (RFC 6891 §6.1.2): our UDP payload size, the extended RCODE bits, the DO bit.</summary>
    public bool TryWriteOpt(ushort udpPayloadSize, DnsResponseCode code, bool dnssecOk)
    {
        if (_length + 11 > _limit) return false;
        var b = _buffer.AsSpan(_length);
        b[0] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(b[1..], (ushort)DnsRecordType.OPT);
        BinaryPrimitives.WriteUInt16BigEndian(b[3..], udpPayloadSize);
        b[5] = (byte)((int)code >> 4);
        b[6] = 0; // EDNS version 0
        BinaryPrimitives.WriteUInt16BigEndian(b[7..], (ushort)(dnssecOk ? 0x8000 : 0));
        BinaryPrimitives.WriteUInt16BigEndian(b[9..], 0);
        _length += 11;
        Count(DnsSection.Additional);
        return true;
    }

    private void Count(DnsSection section)
    {
        _section = section;
        _header = section switch
        {
            DnsSection.Answer => _header with { AnswerCount = (ushort)(_header.AnswerCount + 1) },
            DnsSection.Authority => _header with { AuthorityCount = (ushort)(_header.AuthorityCount + 1) },
            _ => _header with { AdditionalCount = (ushort)(_header.AdditionalCount + 1) },
        };
        _header.WriteTo(_buffer);
    }

    private bool TryWriteData(DnsRecord r)
    {
        var lengthAt = _length;
        if (!TryWriteUInt16(0)) return false;
        var start = _length;
        var ok = r.Type switch
        {
            DnsRecordType.A or DnsRecordType.AAAA => TryWriteBytes(r.Address.AsSpan()),
            // RFC 3597 §4: names in the data of the well-known types may be compressed; SRV's may not (RFC 2782).
            DnsRecordType.CNAME or DnsRecordType.PTR or DnsRecordType.NS => TryWriteName(r.Target),
            DnsRecordType.SRV => TryWriteUInt16(r.Priority) && TryWriteUInt16(r.Weight) && TryWriteUInt16(r.Port) && TryWriteName(r.Target, compress: false),
            DnsRecordType.SOA => TryWriteName(r.Target) && TryWriteName(r.Mailbox) && TryWriteUInt32(r.Serial) && TryWriteUInt32(r.Refresh)
                && TryWriteUInt32(r.Retry) && TryWriteUInt32(r.Expire) && TryWriteUInt32(r.Minimum),
            DnsRecordType.TXT => TryWriteTexts(r),
            _ => throw new NotSupportedException($"writing {r.Type} records"),
        };
        if (!ok) return false;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(lengthAt), (ushort)(_length - start));
        return true;
    }

    private bool TryWriteTexts(DnsRecord r)
    {
        foreach (var text in r.Texts)
        {
            var count = Encoding.UTF8.GetByteCount(text);
            if (count > 255) throw new ArgumentException($"a TXT string of {count} bytes (at most 255)", nameof(r));
            if (_length + 1 + count > _limit) return false;
            _buffer[_length++] = (byte)count;
            _length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));
        }
        return true;
    }

    /// <summary>Writes <paramref name="name"/> in text form, compressing its longest suffix already in the message.</summary>
    public bool TryWriteName(string name, bool compress = true)
    {
        Span<byte> label = stackalloc byte[DnsName.MaxLabelLength + 2];
        var start = 0;
        while (start < name.Length)
        {
            if (compress)
            {
                var suffix = name.AsSpan(start);
                for (var i = 0; i < _nameCount; i++)
                {
                    var (n, s, offset) = _names[i];
                    if (!DnsName.Equal(n.AsSpan(s), suffix)) continue;
                    if (_length + 2 > _limit) return false;
                    BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(_length), (ushort)(0xC000 | offset));
                    _length += 2;
                    return true;
                }
            }
            var end = LabelEnd(name, start);
            // The label alone, escapes resolved: encode "label" as a one-label name and drop its root byte.
            var written = DnsName.Encode(name.AsSpan(start, end - start), label);
            if (written < 0) throw new ArgumentException($"'{name}' is not a name", nameof(name));
            if (_length + written - 1 > _limit) return false;
            if (compress && _length < 0x4000 && _nameCount < MaxCompressionEntries) _names[_nameCount++] = (name, start, _length);
            label[..(written - 1)].CopyTo(_buffer.AsSpan(_length));
            _length += written - 1;
            start = end + 1;
        }
        if (_length + 1 > _limit) return false;
        _buffer[_length++] = 0;
        return true;
    }

    private static int LabelEnd(string name, int start)
    {
        for (var i = start; i < name.Length; i++)
        {
            if (name[i] == '\\') i++;
            else if (name[i] == '.') return i;
        }
        return name.Length;
    }

    private bool TryWriteUInt16(ushort value)
    {
        if (_length + 2 > _limit) return false;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(_length), value);
        _length += 2;
        return true;
    }

    private bool TryWriteUInt32(uint value)
    {
        if (_length + 4 > _limit) return false;
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(_length), value);
        _length += 4;
        return true;
    }

    private bool TryWriteBytes(ReadOnlySpan<byte> bytes)
    {
        if (_length + bytes.Length > _limit) return false;
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
        return true;
    }
}
