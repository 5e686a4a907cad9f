using NetbootPi.Agent.Site;
using NetbootPi.Hardware.Power;

namespace NetbootPi.Agent.Tests.Site;

/// <summary>
/// <c>hosts.NAME.power</c>: each driver's keys, and the rules on the Pi's lines, lines wired twice, expanders and
/// the network a magic packet goes out on, each with the exact message a user sees. Hosts a and b are lines 15 and 16 of <see cref="SiteText.Minimal"/>.
/// </summary>
public class PowerSectionTests
{
    private static string Hosts(string a, string? b = null) =>
        SiteText.Minimal.WithLine(15, $"  a: {{ mac: 00:00:00:00:00:01, ip: 10.0.0.10, power: {a} }}")
            .WithLine(16, b is null ? "  b: { mac: 00:00:00:00:00:02, ip: 10.0.0.11, profile: k }" : $"  b: {{ mac: 00:00:00:00:00:02, profile: k, power: {b} }}");

    private static HostPower PowerOf(string text, string host = "a")
    {
        var result = SiteText.Load(text);
        Assert.Empty(result.Errors);
        return result.Inventory!.FindHost(host)!.Power!;
    }

    [Fact]
    public void A_front_panel_on_the_Pi_s_lines_with_defaults_and_given_press_times()
    {
        var p = PowerOf(Hosts("{ driver: gpio, power_pin: 17, reset_pin: 27, led_pin: 22 }"));
        Assert.Equal(PowerDriver.Gpio, p.Driver);
        Assert.Equal(new AtxLines(17, 27, 22, PressActiveLow: false, LedActiveLow: true), p.Lines);
        Assert.Equal(AtxTimings.Default, p.Timings);
        var timed = PowerOf(Hosts("{ driver: gpio, power_pin: 17, short_press: 300ms, long_press: 8s, reset_press: 1s, led_active_low: false }"));
        Assert.Equal(TimeSpan.FromMilliseconds(300), timed.Timings.ShortPress);
        Assert.Equal(TimeSpan.FromSeconds(8), timed.Timings.LongPress);
        Assert.Equal(TimeSpan.FromSeconds(1), timed.Timings.ResetPress);
        Assert.Equal(new AtxLines(17, null, null, false, false), timed.Lines);
    }

    [Fact]
    public void Expanders_take_their_bus_and_address_and_their_own_line_numbers()
    {
        var p = PowerOf(Hosts("{ driver: mcp23017, bus: 1, address: 0x21, power_pin: 0, reset_pin: 1, led_pin: 15 }"));
        Assert.Equal((PowerDriver.Mcp23017, 1, 0x21), (p.Driver, p.Bus, p.Address));
        Assert.Equal(new AtxLines(0, 1, 15), p.Lines);
        Assert.Equal((PowerDriver.Mcp23008, 1, 0x20), (PowerOf(Hosts("{ driver: mcp23008, power_pin: 7 }")).Driver, 1, 0x20));
    }

    [Fact]
    public void Wake_on_LAN_and_qmp()
    {
        Assert.Equal(PowerDriver.WakeOnLan, PowerOf(Hosts("{ driver: wol }")).Driver);
        Assert.Equal("lan", PowerOf(Hosts("{ driver: wol }", "{ driver: wol, network: lan }"), "b").WakeNetwork);
        Assert.Equal(Path.GetFullPath("vms/a.qmp"), PowerOf(Hosts("{ driver: qmp, socket: vms/a.qmp }")).QmpSocket);
    }

    [Fact]
    public void An_unknown_driver_or_key_is_located()
    {
        Assert.Equal(["t.yaml:15:64: hosts.a.power.driver: unknown power driver 'gpoi' (did you mean 'gpio'? expected one of: gpio, mcp23017, mcp23008, wol, ipmi, redfish, qmp)"],
            SiteText.Errors(Hosts("{ driver: gpoi, power_pin: 17 }")));
        Assert.Equal(["t.yaml:15:54: hosts.a.power: missing key 'driver' (expected one of: gpio, mcp23017, mcp23008, wol, ipmi, redfish, qmp)"],
            SiteText.Errors(Hosts("{ power_pin: 17 }")));
        Assert.Equal(["t.yaml:15:85: hosts.a.power.bus: unknown key (expected one of: driver, power_pin, reset_pin, led_pin, press_active_low, led_active_low, short_press, long_press, reset_press)"],
            SiteText.Errors(Hosts("{ driver: gpio, power_pin: 17, bus: 1 }")));
    }

    [Fact]
    public void Lines_the_Pi_does_not_have_or_keeps_for_other_uses_are_refused_with_the_reason()
    {
        Assert.Equal(["t.yaml:15:81: hosts.a.power.power_pin: GPIO 28 is not on the Pi 4's header (expected BCM GPIO 0-27)"],
            SiteText.Errors(Hosts("{ driver: gpio, power_pin: 28 }")));
        Assert.Equal(["t.yaml:15:85: hosts.a.power.power_pin: 40 is outside 0..15 (expected an MCP23017 line, 0-15 (GPA0-7 are 0-7, GPB0-7 are 8-15))"],
            SiteText.Errors(Hosts("{ driver: mcp23017, power_pin: 40 }")));
        Assert.Contains("GPIO 14 is the UART (TXD/RXD), kept for a serial console", SiteText.Errors(Hosts("{ driver: gpio, power_pin: 14 }")).Single());
        Assert.Contains("GPIO 2 is I2C bus 1", SiteText.Errors(Hosts("{ driver: gpio, power_pin: 17, led_pin: 2 }")).Single());
        Assert.Contains("GPIO 0 is the HAT ID EEPROM's bus", SiteText.Errors(Hosts("{ driver: gpio, power_pin: 0 }")).Single());
        // The pull a line has from power-on decides which buttons it can carry; an LED input is fine on either.
        Assert.Contains("GPIO 5 is pulled up from power-on", SiteText.Errors(Hosts("{ driver: gpio, power_pin: 5 }")).Single());
        Assert.Contains("GPIO 17 is pulled down from power-on", SiteText.Errors(Hosts("{ driver: gpio, power_pin: 17, press_active_low: true }")).Single());
        Assert.Equal(new AtxLines(5, 6, 20, true, true), PowerOf(Hosts("{ driver: gpio, power_pin: 5, reset_pin: 6, led_pin: 20, press_active_low: true }")).Lines);
    }

    [Fact]
    public void A_line_wired_twice_is_an_error_within_a_host_and_across_hosts()
    {
        Assert.Equal(["t.yaml:15:94: hosts.a.power.led_pin: line 17 of the Pi's GPIO is already host a's power_pin at line 15 (expected each line wired once)"],
            SiteText.Errors(Hosts("{ driver: gpio, power_pin: 17, led_pin: 17 }")));
        Assert.Equal(["t.yaml:16:82: hosts.b.power.power_pin: line 3 of mcp23017 on I2C bus 1 at 0x20 is already host a's reset_pin at line 15 (expected each line wired once)"],
            SiteText.Errors(Hosts("{ driver: mcp23017, power_pin: 2, reset_pin: 3 }", "{ driver: mcp23017, power_pin: 3 }")));
        // The same line numbers on another chip, or on the Pi, are other wires.
        Assert.Empty(SiteText.Errors(Hosts("{ driver: mcp23017, power_pin: 2 }", "{ driver: mcp23017, address: 0x21, power_pin: 2 }")));
        Assert.Equal(["t.yaml:16:61: hosts.b.power.driver: I2C bus 1 at 0x20 is an mcp23017 for host a at line 15 (expected one chip per bus and address)"],
            SiteText.Errors(Hosts("{ driver: mcp23017, power_pin: 2 }", "{ driver: mcp23008, power_pin: 3 }")));
    }

    [Fact]
    public void A_magic_packet_needs_a_network()
    {
        Assert.Equal(["t.yaml:16:51: hosts.b.power: host b has no ip, so its network is not known: the magic packet needs one (set the host's ip, or power.network to one of: lan)"],
            SiteText.Errors(Hosts("{ driver: wol }", "{ driver: wol }")));
        Assert.Equal(["t.yaml:16:75: hosts.b.power.network: unknown network 'lab' (defined: lan)"],
            SiteText.Errors(Hosts("{ driver: wol }", "{ driver: wol, network: lab }")));
    }

    [Fact]
    public void Press_times_are_checked()
    {
        Assert.Equal(["t.yaml:15:98: hosts.a.power.short_press: '2h' is not a press duration (expected milliseconds or seconds up to 60 s, like 250ms or 6s)"],
            SiteText.Errors(Hosts("{ driver: gpio, power_pin: 17, short_press: 2h }")));
        Assert.Equal(["t.yaml:15:97: hosts.a.power.long_press: 200 ms is not longer than short_press (250 ms): expected a hold of about 4 s or more, the ATX force-off"],
            SiteText.Errors(Hosts("{ driver: gpio, power_pin: 17, long_press: 200ms }")));
    }
}
