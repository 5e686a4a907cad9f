using NetbootPi.Hardware.Power;

namespace NetbootPi.Agent.Site;

/// <summary>
/// A host's <c>power:</c> wiring, validated. Only the fields of its <see cref="Driver"/> are set: the lines and press
/// times for a front panel (<see cref="Lines"/>, <see cref="Timings"/>, and the expander's <see cref="Bus"/> and
/// <see cref="Address"/>), the network to wake on (<see cref="WakeNetwork"/>), or the VM's <see cref="QmpSocket"/>.
/// </summary>
public sealed record HostPower(PowerDriver Driver, SourceLocation Location)
{
    public const int DefaultI2cBus = 1;
    public const int DefaultExpanderAddress = 0x20;

    public AtxLines? Lines { get; init; }
    public AtxTimings Timings { get; init; } = AtxTimings.Default;
    public int Bus { get; init; } = DefaultI2cBus;
    public int Address { get; init; } = DefaultExpanderAddress;

    /// <summary>The network whose broadcast carries the magic packet; null: the network the host's address is in.</summary>
    public string? WakeNetwork { get; init; }

    /// <summary>The BMC's address (a name or an IPv4 address), its UDP port and the RMCP+ cipher suite.</summary>
    public string? BmcAddress { get; init; }
    public int BmcPort { get; init; } = 623;
    public int CipherSuite { get; init; } = 3;

    /// <summary>The Redfish service's base URL (<c>https://BMC</c>), the system's id under <c>/redfish/v1/Systems</c> (null: the
    /// only member), and how its certificate is trusted: a pinned SHA-256 fingerprint, or not at all (<c>insecure: true</c>).</summary>
    public Uri? RedfishUrl { get; init; }
    public string? RedfishSystem { get; init; }
    public byte[]? CertificateSha256 { get; init; }
    public bool Insecure { get; init; }

    /// <summary>The VM's QMP socket, absolute.</summary>
    public string? QmpSocket { get; init; }

    public static string DriverName(PowerDriver driver) => driver switch
    {
        PowerDriver.Gpio => "gpio",
        PowerDriver.Mcp23017 => "mcp23017",
        PowerDriver.Mcp23008 => "mcp23008",
        PowerDriver.WakeOnLan => "wol",
        PowerDriver.Ipmi => "ipmi",
        PowerDriver.Redfish => "redfish",
        _ => "qmp",
    };

    /// <summary>What the front panel's lines are on: the Pi's GPIO, or an expander at its bus and address.</summary>
    public string Controller => Driver switch
    {
        PowerDriver.Gpio => "the Pi's GPIO",
        PowerDriver.Mcp23017 or PowerDriver.Mcp23008 => $"{DriverName(Driver)} on I2C bus {Bus} at 0x{Address:x2}",
        _ => DriverName(Driver),
    };
}
