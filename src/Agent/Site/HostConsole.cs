namespace NetbootPi.Agent.Site;

/// <summary>
/// A host's serial console as the box reaches it (<c>console:</c>; docs/power.md): a serial line on the box (a
/// USB-serial adapter, the Pi's UART) at a speed, or a unix socket a VM's serial port listens on (qemu's
/// <c>-serial unix:PATH,server=on,wait=off</c>). Exactly one of <see cref="Device"/> and <see cref="Socket"/> is set.
/// </summary>
public sealed record HostConsole(string? Device, int Baud, string? Socket, SourceLocation Location)
{
    public const int DefaultBaud = 115200;

    /// <summary>Where it is read from, for messages: <c>/dev/ttyUSB0 at 115200 baud</c>, or the socket's path.</summary>
    public string Describe() => Device is { } d ? $"{d} at {Baud} baud" : $"socket {Socket}";
}
