namespace NetbootPi.Protocols.Dns;

/// <summary>Resource record types the box answers, forwards or reads (RFC 1035 §3.2.2, RFC 3596, RFC 2782, RFC 6891).</summary>
public enum DnsRecordType : ushort
{
    A = 1,
    NS = 2,
    CNAME = 5,
    SOA = 6,
    PTR = 12,
    MX = 15,
    TXT = 16,
    AAAA = 28,
    SRV = 33,
    OPT = 41,
    IXFR = 251,
    AXFR = 252,
    ANY = 255,
}
