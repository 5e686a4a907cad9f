using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Site;

public sealed record HostEntry(
    string Name,
    MacAddress Mac,
    Ipv4Address? Ip,
    string? Profile,
    string? PiSerial,
    SourceLocation Location);
