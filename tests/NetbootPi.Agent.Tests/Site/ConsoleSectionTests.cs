namespace NetbootPi.Agent.Tests.Site;

/// <summary><c>hosts.NAME.console</c>: a serial line or a VM's socket, each rule's located message. Host a is line 15 of <see cref="SiteText.Minimal"/>.</summary>
public class ConsoleSectionTests
{
    private static string HostA(string console, string? b = null)
    {
        var text = SiteText.Minimal.WithLine(15, $"  a: {{ mac: 00:00:00:00:00:01, ip: 10.0.0.10, console: {console} }}");
        return b is null ? text : text.WithLine(16, $"  b: {{ mac: 00:00:00:00:00:02, ip: 10.0.0.11, profile: k, console: {b} }}");
    }

    [Fact]
    public void A_serial_line_at_a_speed_or_a_socket_beside_the_site_file()
    {
        var a = SiteText.Load(HostA("{ serial: /dev/ttyUSB0 }")).Inventory!.FindHost("a")!.Console!;
        Assert.Equal(("/dev/ttyUSB0", 115200, (string?)null), (a.Device, a.Baud, a.Socket));
        Assert.Equal("/dev/ttyUSB0 at 115200 baud", a.Describe());
        Assert.Equal(9600, SiteText.Load(HostA("{ serial: /dev/ttyAMA0, baud: 9600 }")).Inventory!.FindHost("a")!.Console!.Baud);
        Assert.Equal(Path.GetFullPath("vms/a.serial"), SiteText.Load(HostA("{ socket: vms/a.serial }")).Inventory!.FindHost("a")!.Console!.Socket);
    }

    [Fact]
    public void Wrong_values_are_located()
    {
        Assert.Equal(["t.yaml:15:56: hosts.a.console: expected either serial: DEVICE (a serial line on the box, like /dev/ttyUSB0) or socket: PATH (a VM's serial socket), not both or neither"],
            SiteText.Errors(HostA("{ serial: /dev/ttyS0, socket: a.sock }")));
        Assert.Equal(["t.yaml:15:66: hosts.a.console.serial: 'ttyUSB0' is not a device (expected a path under /dev, like /dev/ttyUSB0 or /dev/serial/by-id/usb-FTDI_...-port0)"],
            SiteText.Errors(HostA("{ serial: ttyUSB0 }")));
        Assert.Equal(["t.yaml:15:86: hosts.a.console.baud: 12345 is not a serial speed (expected one of: 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600, 1500000)"],
            SiteText.Errors(HostA("{ serial: /dev/ttyUSB0, baud: 12345 }")));
        Assert.Equal(["t.yaml:15:80: hosts.a.console.baud: a socket has no speed (baud goes with serial)"],
            SiteText.Errors(HostA("{ socket: a.sock, baud: 9600 }")));
    }

    [Fact]
    public void One_line_serves_one_host()
    {
        Assert.Equal(["t.yaml:16:68: hosts.b.console: /dev/ttyUSB0 is already host a's console at line 15 (expected one host per serial line or socket)"],
            SiteText.Errors(HostA("{ serial: /dev/ttyUSB0 }", "{ serial: /dev/ttyUSB0 }")));
    }
}
