namespace NetbootPi.Protocols.Dns;

/// <summary>RCODE (RFC 1035 §4.1.1); <see cref="BadVersion"/> needs the OPT record's extended bits (RFC 6891 §6.1.3).</summary>
public enum DnsResponseCode
{
    NoError = 0,
    FormatError = 1,
    ServerFailure = 2,
    NameError = 3,
    NotImplemented = 4,
    Refused = 5,
    BadVersion = 16,
}
