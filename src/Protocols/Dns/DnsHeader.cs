using System.Buffers.Binary;

namespace NetbootPi.Protocols.Dns;

/// <summary>The 12-byte message header (RFC 1035 §4.1.1).</summary>
public readonly record struct DnsHeader(ushort Id, ushort Flags, ushort QuestionCount, ushort AnswerCount, ushort AuthorityCount, ushort AdditionalCount)
{
    public const int Size = 12;

    public const ushort ResponseFlag = 0x8000;
    public const ushort AuthoritativeFlag = 0x0400;
    public const ushort TruncatedFlag = 0x0200;
    public const ushort RecursionDesiredFlag = 0x0100;
    public const ushort RecursionAvailableFlag = 0x0080;

    public bool IsResponse => (Flags & ResponseFlag) != 0;
    public int Opcode => (Flags >> 11) & 0xF;
    public bool IsAuthoritative => (Flags & AuthoritativeFlag) != 0;
    public bool IsTruncated => (Flags & TruncatedFlag) != 0;
    public bool RecursionDesired => (Flags & RecursionDesiredFlag) != 0;
    public bool RecursionAvailable => (Flags & RecursionAvailableFlag) != 0;
    public DnsResponseCode ResponseCode => (DnsResponseCode)(Flags & 0xF);

    public static bool TryRead(ReadOnlySpan<byte> packet, out DnsHeader header)
    {
        if (packet.Length < Size)
        {
            header = default;
            return false;
        }
        header = new DnsHeader(
            BinaryPrimitives.ReadUInt16BigEndian(packet),
            BinaryPrimitives.ReadUInt16BigEndian(packet[2..]),
            BinaryPrimitives.ReadUInt16BigEndian(packet[4..]),
            BinaryPrimitives.ReadUInt16BigEndian(packet[6..]),
            BinaryPrimitives.ReadUInt16BigEndian(packet[8..]),
            BinaryPrimitives.ReadUInt16BigEndian(packet[10..]));
        return true;
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, Id);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Flags);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], QuestionCount);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], AnswerCount);
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], AuthorityCount);
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], AdditionalCount);
    }
}
