using NetbootPi.Agent.Site.Yaml;
using NetbootPi.Hardware.UsbGadget;

namespace NetbootPi.Agent.Site;

// kvm: the console host the box is a USB drive, keyboard and pointer to (docs/console.md). Not "console:", which is a
// host's serial console.
internal sealed partial class SiteReader
{
    private static readonly string[] KvmKeys = ["host", "udc", "keyboard_layout", "capture"];

    private KvmSettings? ReadKvm(YamlNode node)
    {
        var m = Mapping(node, "kvm", "a mapping with host (the host the box's USB-C port is plugged into), udc, keyboard_layout and capture", KvmKeys, ["host"]);
        if (m is null) return null;
        var before = _errors.Count;
        var host = m.TryGetValue("host", out var h) ? Name(h, "kvm.host", "host name", IsHostName, "the name of a host in hosts") : null;
        string? udc = null;
        if (m.TryGetValue("udc", out var u) && Scalar(u, "kvm.udc", "a USB device controller's name, like fe980000.usb") is { } us)
        {
            // A name in /sys/class/udc: one path segment.
            if (us.Value.Length == 0 || us.Value.Contains('/') || us.Value is "." or ".." || us.Value.Any(char.IsWhiteSpace))
                Error(us, "kvm.udc", $"'{us.Value}' is not a USB device controller's name (expected a name from /sys/class/udc, like fe980000.usb)");
            else udc = us.Value;
        }
        var layout = KvmSettings.DefaultLayout;
        if (m.TryGetValue("keyboard_layout", out var l) && Scalar(l, "kvm.keyboard_layout", "a keyboard layout, like us") is { } ls)
        {
            if (KeyboardLayout.Find(ls.Value) is { } known) layout = known.Name;
            else
            {
                // xkb's name for the UK layout is gb; "uk" is what people write.
                var best = ls.Value.Equals("uk", StringComparison.OrdinalIgnoreCase) ? "gb" : Suggest(ls.Value, [.. KeyboardLayout.Names]);
                Error(ls, "kvm.keyboard_layout", $"no table for keyboard layout '{ls.Value}'{(best is null ? "" : $" (did you mean '{best}'?)")}; there is: {string.Join(", ", KeyboardLayout.Names)} (docs/console.md#layouts)");
            }
        }
        var capture = m.TryGetValue("capture", out var c) ? ReadCapture(c) : null;
        if (_errors.Count != before || host is null) return null;
        return new KvmSettings(host, udc, layout, node.Location) { Capture = capture };
    }

    /// <summary>The console host is a host of the site.</summary>
    private void CheckKvm(KvmSettings kvm, YamlNode node, List<Located<HostEntry>> hosts)
    {
        if (hosts.Any(h => string.Equals(h.Value.Name, kvm.Host, StringComparison.OrdinalIgnoreCase))) return;
        var at = node is YamlMapping map && map.Entries.FirstOrDefault(e => e.Key.Value == "host").Value is { } v ? v : node;
        var hint = Suggest(kvm.Host, hosts.Select(h => h.Value.Name).ToArray()) is { } best ? $" (did you mean '{best}'?)" : "";
        Error(at, "kvm.host", $"no host named '{kvm.Host}' in hosts{hint} (expected the host the box's USB-C port is plugged into)");
    }
}
