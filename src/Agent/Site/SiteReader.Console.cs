using NetbootPi.Agent.Site.Yaml;
using NetbootPi.Hardware.Serial;

namespace NetbootPi.Agent.Site;

// hosts.NAME.console: where the box reads a host's serial console (docs/power.md).
internal sealed partial class SiteReader
{
    private static readonly string[] ConsoleKeys = ["serial", "baud", "socket"];

    private HostConsole? ReadConsole(YamlNode node, string path)
    {
        var m = Mapping(node, path, "a mapping with serial (a device like /dev/ttyUSB0) and baud, or socket (a VM's serial socket)", ConsoleKeys);
        if (m is null) return null;
        var before = _errors.Count;
        if (m.ContainsKey("serial") == m.ContainsKey("socket"))
        {
            Error(node, path, "expected either serial: DEVICE (a serial line on the box, like /dev/ttyUSB0) or socket: PATH (a VM's serial socket), not both or neither");
            return null;
        }
        if (m.TryGetValue("socket", out var sn))
        {
            if (m.TryGetValue("baud", out var b)) Error(b, $"{path}.baud", "a socket has no speed (baud goes with serial)");
            var socket = String(sn, $"{path}.socket", "the path of the VM's serial socket");
            if (socket is null || _errors.Count != before) return null;
            return new HostConsole(null, 0, Path.Combine(Path.GetDirectoryName(Path.GetFullPath(_file)) ?? "/", socket), node.Location);
        }
        var device = String(m["serial"], $"{path}.serial", "a serial device like /dev/ttyUSB0");
        if (device is not null && (!device.StartsWith("/dev/", StringComparison.Ordinal) || device.Contains("/../", StringComparison.Ordinal)))
            Error(m["serial"], $"{path}.serial", $"'{device}' is not a device (expected a path under /dev, like /dev/ttyUSB0 or /dev/serial/by-id/usb-FTDI_...-port0)");
        var baud = HostConsole.DefaultBaud;
        if (m.TryGetValue("baud", out var bn) && Integer(bn, $"{path}.baud", "a serial speed like 115200", 1, int.MaxValue) is { } given)
        {
            if (SerialLine.SupportedSpeeds.Contains(given)) baud = given;
            else Error(bn, $"{path}.baud", $"{given} is not a serial speed (expected one of: {string.Join(", ", SerialLine.SupportedSpeeds.Order())})");
        }
        return _errors.Count == before ? new HostConsole(device, baud, null, node.Location) : null;
    }

    /// <summary>A serial device or socket read for two hosts would split one console between them.</summary>
    private void CheckConsoles(List<Located<HostEntry>> hosts)
    {
        var seen = new Dictionary<string, HostEntry>(StringComparer.Ordinal);
        foreach (var located in hosts)
        {
            if (located.Value.Console is not { } console) continue;
            var where = console.Device ?? console.Socket!;
            if (seen.TryGetValue(where, out var other))
                Error(located.At("console"), $"hosts.{located.Value.Name}.console",
                    $"{where} is already host {other.Name}'s console at line {other.Location.Line} (expected one host per serial line or socket)");
            else seen[where] = located.Value;
        }
    }
}
