using System.Collections.Immutable;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dns;

/// <summary>
/// A resource record to write (class IN). One shape for every type the box serves; the factory methods fill the
/// fields their type uses and <see cref="DnsMessageWriter"/> writes the data from them.
/// </summary>
public sealed record DnsRecord(string Name, DnsRecordType Type, uint Ttl)
{
    /// <summary>A: 4 bytes; AAAA: 16 bytes.</summary>
    public ImmutableArray<byte> Address { get; init; } = [];
    /// <summary>CNAME, PTR and NS: the name pointed to; SRV: the target; SOA: the primary server (MNAME).</summary>
    public string Target { get; init; } = "";
    /// <summary>TXT: the character strings, each at most 255 bytes of UTF-8.</summary>
    public ImmutableArray<string> Texts { get; init; } = [];
    public ushort Priority { get; init; }
    public ushort Weight { get; init; }
    public ushort Port { get; init; }
    /// <summary>SOA: the responsible mailbox as a name (RNAME), and the five numbers (RFC 1035 §3.3.13).</summary>
    public string Mailbox { get; init; } = "";
    public uint Serial { get; init; }
    public uint Refresh { get; init; }
    public uint Retry { get; init; }
    public uint Expire { get; init; }
    /// <summary>SOA MINIMUM: how long resolvers cache a negative answer from the zone (RFC 2308 §4).</summary>
    public uint Minimum { get; init; }

    public static DnsRecord A(string name, uint ttl, Ipv4Address address)
    {
        var bytes = new byte[4];
        address.WriteTo(bytes);
        return new(name, DnsRecordType.A, ttl) { Address = [.. bytes] };
    }

    public static DnsRecord Aaaa(string name, uint ttl, ReadOnlySpan<byte> address) =>
        address.Length == 16
            ? new(name, DnsRecordType.AAAA, ttl) { Address = [.. address] }
            : throw new ArgumentException("an IPv6 address is 16 bytes", nameof(address));

    public static DnsRecord Cname(string name, uint ttl, string target) => new(name, DnsRecordType.CNAME, ttl) { Target = target };

    public static DnsRecord Ptr(string name, uint ttl, string target) => new(name, DnsRecordType.PTR, ttl) { Target = target };

    public static DnsRecord Ns(string name, uint ttl, string target) => new(name, DnsRecordType.NS, ttl) { Target = target };

    public static DnsRecord Txt(string name, uint ttl, ImmutableArray<string> texts) => new(name, DnsRecordType.TXT, ttl) { Texts = texts };

    public static DnsRecord Srv(string name, uint ttl, ushort priority, ushort weight, ushort port, string target) =>
        new(name, DnsRecordType.SRV, ttl) { Priority = priority, Weight = weight, Port = port, Target = target };

    public static DnsRecord Soa(string name, uint ttl, string primary, string mailbox, uint serial, uint refresh, uint retry, uint expire, uint minimum) =>
        new(name, DnsRecordType.SOA, ttl)
        {
            Target = primary, Mailbox = mailbox, Serial = serial, Refresh = refresh, Retry = retry, Expire = expire, Minimum = minimum,
        };
}
