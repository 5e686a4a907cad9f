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

    /// <summary>The host's own <c>recovery:</c>, in place of its profile's; null: the profile's.</summary>
    public RecoveryPolicy? Recovery { get; init; }

    /// <summary>Where the box reads the host's serial console (<c>console:</c>); null when it has none.</summary>
    public HostConsole? Console { get; init; }

    /// <summary><c>recovery: false</c>: never recovered, whatever its profile says.</summary>
    public bool RecoveryOff { get; init; }
}
