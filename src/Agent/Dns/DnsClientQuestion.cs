using NetbootPi.Protocols.Dns;

namespace NetbootPi.Agent.Dns;

/// <summary>What a forwarded query's response must fit: taken from the parsed query before its loop reuses it.</summary>
public readonly record struct DnsClientQuestion(ushort Id, string Name, DnsRecordType Type, ushort Class, bool HasEdns, bool DnssecOk)
{
    public static DnsClientQuestion Of(DnsQuery query) =>
        new(query.Header.Id, query.Name, query.Type, query.Class, query.HasEdns, query.DnssecOk);
}
