namespace NetbootPi.Protocols.Dns;

/// <summary>Where one resource record lies in a received message: offsets into that message, nothing copied.</summary>
/// <param name="Start">The first byte of its owner name.</param>
/// <param name="TtlOffset">Where its TTL is, so a cached copy can be aged in place.</param>
public readonly record struct DnsRecordView(int Start, DnsRecordType Type, ushort Class, uint Ttl, int TtlOffset, int DataOffset, int DataLength)
{
    public int End => DataOffset + DataLength;
}
