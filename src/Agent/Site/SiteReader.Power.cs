using System.Globalization;
using NetbootPi.Agent.Site.Yaml;
using NetbootPi.Hardware.Power;

namespace NetbootPi.Agent.Site;

// hosts.NAME.power: how the box turns a host on and off (docs/power.md).
internal sealed partial class SiteReader
{
    private static readonly string[] PowerDrivers = ["gpio", "mcp23017", "mcp23008", "wol", "ipmi", "redfish", "qmp"];
    private static readonly string[] RedfishKeys = ["driver", "url", "system", "fingerprint", "insecure"];
    private static readonly string[] IpmiKeys = ["driver", "address", "port", "cipher_suite"];
    private static readonly string[] PanelKeys =
        ["driver", "power_pin", "reset_pin", "led_pin", "press_active_low", "led_active_low", "short_press", "long_press", "reset_press"];
    private static readonly string[] ExpanderKeys = [.. PanelKeys, "bus", "address"];
    private static readonly string[] WolKeys = ["driver", "network"];
    private static readonly string[] QmpKeys = ["driver", "socket"];

    /// <summary>The Pi 4's header: BCM GPIO 0-27.</summary>
    internal const int PiLastGpio = 27;

    private HostPower? ReadPower(YamlNode node, string path)
    {
        if (node is not YamlMapping map)
        {
            Error(node, path, $"expected a mapping with driver (one of: {string.Join(", ", PowerDrivers)}), found {node.Describe()}");
            return null;
        }
        if (!map.Entries.Any(e => e.Key.Value == "driver"))
        {
            Error(node, path, $"missing key 'driver' (expected one of: {string.Join(", ", PowerDrivers)})");
            return null;
        }
        var driverNode = map.Entries.First(e => e.Key.Value == "driver").Value;
        var name = String(driverNode, $"{path}.driver", "a power driver: gpio, mcp23017, mcp23008, wol, ipmi, redfish or qmp");
        if (name is null) return null;
        PowerDriver? driver = name switch
        {
            "gpio" => PowerDriver.Gpio,
            "mcp23017" => PowerDriver.Mcp23017,
            "mcp23008" => PowerDriver.Mcp23008,
            "wol" => PowerDriver.WakeOnLan,
            "qmp" => PowerDriver.Qmp,
            "ipmi" => PowerDriver.Ipmi,
            "redfish" => PowerDriver.Redfish,
            _ => null,
        };
        if (driver is not { } d)
        {
            var hint = Suggest(name, PowerDrivers) is { } s ? $"did you mean '{s}'? " : "";
            Error(driverNode, $"{path}.driver", $"unknown power driver '{name}' ({hint}expected one of: {string.Join(", ", PowerDrivers)})");
            return null;
        }
        var before = _errors.Count;
        var power = d switch
        {
            PowerDriver.WakeOnLan => ReadWol(node, path),
            PowerDriver.Qmp => ReadQmp(node, path),
            PowerDriver.Ipmi => ReadIpmi(node, path),
            PowerDriver.Redfish => ReadRedfish(node, path),
            _ => ReadPanel(node, path, d),
        };
        return _errors.Count == before ? power : null;
    }

    private HostPower? ReadWol(YamlNode node, string path)
    {
        var m = Mapping(node, path, "a mapping with driver: wol and optionally network", WolKeys);
        if (m is null) return null;
        var network = m.TryGetValue("network", out var n) ? String(n, $"{path}.network", "a network name") : null;
        return new HostPower(PowerDriver.WakeOnLan, node.Location) { WakeNetwork = network };
    }

    private HostPower? ReadIpmi(YamlNode node, string path)
    {
        var m = Mapping(node, path, "a mapping with driver: ipmi and address", IpmiKeys, ["address"]);
        if (m is null || !m.TryGetValue("address", out var a)) return null;
        var address = Name(a, $"{path}.address", "BMC address", s => Protocols.Net.Ipv4Address.TryParse(s, out _) || IsDomainName(s), "an IPv4 address or a DNS name, like 10.69.10.1");
        var port = m.TryGetValue("port", out var p) ? Integer(p, $"{path}.port", "a UDP port, 1-65535 (623 is IPMI's)", 1, 65535) : 623;
        var suite = m.TryGetValue("cipher_suite", out var c) ? Integer(c, $"{path}.cipher_suite", "an RMCP+ cipher suite, 0-17 (3 and 17 are what BMCs offer)", 0, 17) : 3;
        if (address is null || port is null || suite is null) return null;
        return new HostPower(PowerDriver.Ipmi, node.Location) { BmcAddress = address, BmcPort = port.Value, CipherSuite = suite.Value };
    }

    private HostPower? ReadRedfish(YamlNode node, string path)
    {
        var m = Mapping(node, path, "a mapping with driver: redfish, url, and fingerprint or insecure: true", RedfishKeys, ["url"]);
        if (m is null || !m.TryGetValue("url", out var u) || Scalar(u, $"{path}.url", "the BMC's HTTPS URL, like https://10.69.10.4") is not { } us) return null;
        if (!Uri.TryCreate(us.Value, UriKind.Absolute, out var url) || url.Scheme != "https" || url.AbsolutePath != "/" || url.Query.Length > 0 || url.UserInfo.Length > 0)
        {
            Error(us, $"{path}.url", $"'{us.Value}' is not the BMC's base URL (expected https://HOST or https://HOST:PORT; credentials go in {PowerSecrets.FileName}, never here)");
            return null;
        }
        var system = m.TryGetValue("system", out var sy) ? Name(sy, $"{path}.system", "Redfish system id", s => s.Length <= 64 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'), "the id under /redfish/v1/Systems, like System.Embedded.1") : null;
        var insecure = m.TryGetValue("insecure", out var ins) ? Boolean(ins, $"{path}.insecure") : false;
        byte[]? pin = null;
        if (m.TryGetValue("fingerprint", out var f) && Scalar(f, $"{path}.fingerprint", "the certificate's SHA-256 fingerprint") is { } fs)
        {
            var hex = fs.Value.Replace(":", "", StringComparison.Ordinal);
            if (hex.Length == 64 && hex.All(char.IsAsciiHexDigit)) pin = Convert.FromHexString(hex);
            else Error(fs, $"{path}.fingerprint", $"'{fs.Value}' is not a SHA-256 fingerprint (expected 32 hex pairs, as 'openssl x509 -noout -fingerprint -sha256' prints them)");
        }
        if (insecure is true && pin is not null)
            Error(ins!, $"{path}.insecure", "insecure: true with a fingerprint (expected one of them: the fingerprint pins the certificate, insecure trusts any)");
        if (insecure is null || (m.ContainsKey("system") && system is null) || (f is not null && pin is null)) return null;
        return new HostPower(PowerDriver.Redfish, node.Location) { RedfishUrl = url, RedfishSystem = system, CertificateSha256 = pin, Insecure = insecure.Value };
    }

    private HostPower? ReadQmp(YamlNode node, string path)
    {
        var m = Mapping(node, path, "a mapping with driver: qmp and socket", QmpKeys, ["socket"]);
        if (m is null || !m.TryGetValue("socket", out var s) || String(s, $"{path}.socket", "the path of the VM's QMP socket") is not { } socket) return null;
        var full = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(_file)) ?? "/", socket);
        return new HostPower(PowerDriver.Qmp, node.Location) { QmpSocket = full };
    }

    private HostPower? ReadPanel(YamlNode node, string path, PowerDriver driver)
    {
        var expander = driver != PowerDriver.Gpio;
        var m = Mapping(node, path, $"a mapping with driver: {HostPower.DriverName(driver)} and power_pin", expander ? ExpanderKeys : PanelKeys, ["power_pin"]);
        if (m is null) return null;
        var last = driver switch { PowerDriver.Mcp23017 => 15, PowerDriver.Mcp23008 => 7, _ => 63 };
        var pinRule = driver switch
        {
            PowerDriver.Mcp23017 => "an MCP23017 line, 0-15 (GPA0-7 are 0-7, GPB0-7 are 8-15)",
            PowerDriver.Mcp23008 => "an MCP23008 line, 0-7",
            _ => "a BCM GPIO number of the Pi 4's header, like 17",
        };
        var pressLow = m.TryGetValue("press_active_low", out var pl) ? Boolean(pl, $"{path}.press_active_low") : false;
        var ledLow = m.TryGetValue("led_active_low", out var ll) ? Boolean(ll, $"{path}.led_active_low") : true;
        int? Pin(string key, bool button)
        {
            if (!m.TryGetValue(key, out var v)) return null;
            var pin = Integer(v, $"{path}.{key}", pinRule, 0, last);
            if (pin is { } p && driver == PowerDriver.Gpio && PiPinProblem(p, button, pressLow ?? false) is { } why)
            {
                Error(v, $"{path}.{key}", $"GPIO {p} {why}");
                return null;
            }
            return pin;
        }
        var powerPin = Pin("power_pin", button: true);
        var resetPin = Pin("reset_pin", button: true);
        var ledPin = Pin("led_pin", button: false);
        var timings = AtxTimings.Default;
        if (m.TryGetValue("short_press", out var sp) && Press(sp, $"{path}.short_press") is { } shortPress) timings = timings with { ShortPress = shortPress };
        if (m.TryGetValue("long_press", out var lp) && Press(lp, $"{path}.long_press") is { } longPress) timings = timings with { LongPress = longPress };
        if (m.TryGetValue("reset_press", out var rp) && Press(rp, $"{path}.reset_press") is { } resetPress) timings = timings with { ResetPress = resetPress };
        if (timings.LongPress <= timings.ShortPress)
            Error(lp ?? sp!, $"{path}.long_press", $"{timings.LongPress.TotalMilliseconds} ms is not longer than short_press ({timings.ShortPress.TotalMilliseconds} ms): expected a hold of about 4 s or more, the ATX force-off");
        var bus = HostPower.DefaultI2cBus;
        var address = HostPower.DefaultExpanderAddress;
        if (m.TryGetValue("bus", out var b) && Integer(b, $"{path}.bus", "an I2C bus number, like 1 (/dev/i2c-1)", 0, 255) is { } bn) bus = bn;
        if (m.TryGetValue("address", out var a) && ExpanderAddress(a, $"{path}.address") is { } an) address = an;
        if (powerPin is null || pressLow is null || ledLow is null) return null;
        return new HostPower(driver, node.Location)
        {
            Lines = new AtxLines(powerPin.Value, resetPin, ledPin, pressLow.Value, ledLow.Value),
            Timings = timings,
            Bus = bus,
            Address = address,
        };
    }

    /// <summary>
    /// Why a Pi header line cannot carry a front-panel signal, or null. The buttons also depend on the line's pull
    /// from power-on until the agent opens it (BCM2711: GPIO 0-8 pulled up, 9-27 down): a line pulled to the pressed
    /// level would hold the host's button while the Pi boots, and a hold of 4 s turns the host off.
    /// </summary>
    internal static string? PiPinProblem(int pin, bool button, bool pressActiveLow) => pin switch
    {
        > PiLastGpio => $"is not on the Pi 4's header (expected BCM GPIO 0-{PiLastGpio})",
        0 or 1 => "is the HAT ID EEPROM's bus (ID_SD/ID_SC), which the firmware reads at boot (expected another line, like 17)",
        2 or 3 => "is I2C bus 1 (SDA1/SCL1, with 1.8 kΩ pull-ups on the board), where expanders go (expected another line, like 17)",
        14 or 15 => "is the UART (TXD/RXD), kept for a serial console (expected another line, like 17)",
        >= 4 and <= 8 when button && !pressActiveLow =>
            "is pulled up from power-on until the agent opens it: an active-high button there is pressed while the Pi boots (expected 9-13 or 16-27, or press_active_low: true)",
        >= 9 when button && pressActiveLow =>
            "is pulled down from power-on until the agent opens it: an active-low button there is pressed while the Pi boots (expected 4-8 for active-low, or an active-high driver)",
        _ => null,
    };

    private TimeSpan? Press(YamlNode node, string path)
    {
        var s = Scalar(node, path, "a duration like 250ms or 6s");
        if (s is null) return null;
        if (TryParsePress(s.Value, out var d) && d > TimeSpan.Zero && d <= TimeSpan.FromSeconds(60)) return d;
        Error(s, path, $"'{s.Value}' is not a press duration (expected milliseconds or seconds up to 60 s, like 250ms or 6s)");
        return null;
    }

    internal static bool TryParsePress(string text, out TimeSpan value)
    {
        value = default;
        var (digits, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 1) : text.EndsWith('s') ? (text[..^1], 1000) : ("", 0);
        if (unit == 0 || digits.Length is 0 or > 6 || !digits.All(char.IsAsciiDigit)) return false;
        value = TimeSpan.FromMilliseconds(int.Parse(digits, CultureInfo.InvariantCulture) * unit);
        return true;
    }

    private int? ExpanderAddress(YamlNode node, string path)
    {
        var s = Scalar(node, path, "an I2C address 0x20-0x27");
        if (s is null) return null;
        var text = s.Value;
        var ok = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? int.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var n)
            : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out n);
        if (ok && n is >= 0x20 and <= 0x27) return n;
        Error(s, path, $"'{text}' is not an MCP230xx address (expected 0x20-0x27, set by the chip's A0-A2 pins)");
        return null;
    }

    /// <summary>Across hosts: no line driven by two hosts, one chip per bus and address, a network for every magic packet.</summary>
    private void CheckPower(List<Located<HostEntry>> hosts, List<Located<NetworkConfig>> networks)
    {
        var lines = new Dictionary<(string Controller, int Line), (HostEntry Host, string Key)>();
        var chips = new Dictionary<(int Bus, int Address), (HostEntry Host, PowerDriver Driver)>();
        Dictionary<string, BmcCredentials>? secrets = null;
        var secretsRead = false;
        foreach (var located in hosts)
        {
            var h = located.Value;
            if (h.Power is not { } power) continue;
            var powerNode = located.At("power");
            var path = $"hosts.{h.Name}.power";
            if (power.Lines is { } l)
            {
                if (power.Driver != PowerDriver.Gpio)
                {
                    if (chips.TryGetValue((power.Bus, power.Address), out var other) && other.Driver != power.Driver)
                        Error(FieldOf(powerNode, "driver"), $"{path}.driver", $"I2C bus {power.Bus} at 0x{power.Address:x2} is an {HostPower.DriverName(other.Driver)} for host {other.Host.Name} at line {other.Host.Location.Line} (expected one chip per bus and address)");
                    chips.TryAdd((power.Bus, power.Address), (h, power.Driver));
                }
                foreach (var (key, line) in new[] { ("power_pin", (int?)l.PowerPin), ("reset_pin", l.ResetPin), ("led_pin", l.LedPin) })
                {
                    if (line is not { } n) continue;
                    var id = (power.Driver == PowerDriver.Gpio ? "gpio" : $"i2c{power.Bus}@{power.Address}", n);
                    if (lines.TryGetValue(id, out var used))
                        Error(FieldOf(powerNode, key), $"{path}.{key}", $"line {n} of {power.Controller} is already host {used.Host.Name}'s {used.Key} at line {used.Host.Location.Line} (expected each line wired once)");
                    else lines[id] = (h, key);
                }
            }
            if (power.Driver is PowerDriver.Ipmi or PowerDriver.Redfish)
            {
                if (!secretsRead)
                {
                    secrets = PowerSecrets.Load(PowerSecrets.PathFor(_file), _errors);
                    secretsRead = true;
                }
                if (secrets is not null && !secrets.ContainsKey(h.Name))
                    Error(FieldOf(powerNode, "driver"), $"{path}.driver", $"no account for host {h.Name} in {PowerSecrets.PathFor(_file)} (expected {h.Name}: {{ username: NAME, password: SECRET }} there)");
            }
            if (power.Driver != PowerDriver.WakeOnLan || !_networksComplete) continue;
            var names = string.Join(", ", networks.Select(n => n.Value.Name));
            if (power.WakeNetwork is { } wanted)
            {
                if (networks.All(n => n.Value.Name != wanted))
                    Error(FieldOf(powerNode, "network"), $"{path}.network", $"unknown network '{wanted}' (defined: {names})");
            }
            else if (h.Ip is null)
                Error(powerNode, path, $"host {h.Name} has no ip, so its network is not known: the magic packet needs one (set the host's ip, or power.network to one of: {names})");
        }
    }

    private static YamlNode FieldOf(YamlNode node, string key) =>
        node is YamlMapping map ? map.Entries.FirstOrDefault(e => e.Key.Value == key).Value ?? node : node;
}
