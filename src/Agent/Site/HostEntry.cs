using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Site;

public sealed record HostEntry(
    string Name,
    MacAddress Mac,
    Ipv4Address? Ip,
    string? Profile,
    string? PiSerial,
    SourceLocation Location)
{
    /// <summary>How the box turns the host on and off (<c>power:</c>); null when the site does not say.</summary>
    public HostPower? Power { get; init; }
}
