namespace NetbootPi.Agent.Site;

/// <summary>
/// A host's serial console as the box reaches it (<c>console:</c>; docs/power.md): a serial line on the box (a
/// USB-serial adapter, the Pi's UART) at a speed, or a unix socket a VM's serial port listens on (qemu's
/// <c>-serial unix:PATH,server=on,wait=off</c>), or IPMI Serial-over-LAN through the host's BMC (<see cref="Sol"/>,
/// for a host whose power driver is ipmi). Exactly one of <see cref="Device"/>, <see cref="Socket"/> and
/// <see cref="Sol"/> is set.
/// </summary>
public sealed record HostConsole(string? Device, int Baud, string? Socket, SourceLocation Location)
{
    /// <summary>Serial-over-LAN through the host's BMC (its <c>power:</c> address and the account in the power secrets file).</summary>
    public bool Sol { get; init; }

    public const int DefaultBaud = 115200;

    /// <summary>Where it is read from, for messages: <c>/dev/ttyUSB0 at 115200 baud</c>, or the socket's path.</summary>
    public string Describe() => Device is { } d ? $"{d} at {Baud} baud" : Sol ? "IPMI Serial-over-LAN" : $"socket {Socket}";
}
