using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Render.Install;

// Ignition spec 3.3.0 (coreos.github.io/ignition/configuration-v3_3), as Flatcar and Fedora CoreOS read it. Two
// configs: config.ign for the system booted from the box (in memory), whose one unit writes the disk with
// flatcar-install and reports completion; installed.ign for the installed system's first boot from that disk.
public static partial class InstallFiles
{
    private const string IgnitionVersion = "3.3.0";

    private static string IgnitionLive(Context c)
    {
        var unit = new StringBuilder()
            .Append("[Unit]\nDescription=netbootpi: install to ").Append(c.Install.Disk).Append(", then report and reboot\n")
            .Append("Wants=network-online.target\nAfter=network-online.target\n\n")
            .Append("[Service]\nType=oneshot\n")
            .Append("ExecStart=/usr/bin/curl -fsS --retry 5 -o /run/netbootpi-installed.ign ").Append(c.Urls.Folder).Append("installed.ign\n")
            .Append("ExecStart=/usr/bin/flatcar-install -d ").Append(c.Install.Disk).Append(" -i /run/netbootpi-installed.ign\n")
            .Append("ExecStart=/usr/bin/curl -fsS --retry 5 -X POST ").Append(c.Urls.Done).Append('\n')
            .Append("ExecStart=/usr/bin/systemctl --no-block reboot\n\n")
            .Append("[Install]\nWantedBy=multi-user.target\n").ToString();
        return Json(c, w =>
        {
            w.WriteStartObject("systemd");
            w.WriteStartArray("units");
            w.WriteStartObject();
            w.WriteString("name", "netbootpi-install.service");
            w.WriteBoolean("enabled", true);
            w.WriteString("contents", unit);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static string IgnitionInstalled(Context c) => Json(c, w =>
    {
        w.WriteStartObject("storage");
        w.WriteStartArray("files");
        File(w, "/etc/hostname", c.Host.Name + "\n");
        if (c.StaticNetwork is { } net)
        {
            // systemd-networkd's file (Flatcar's network manager); Fedora CoreOS would need NetworkManager's keyfile.
            var network = new StringBuilder($"[Match]\nMACAddress={c.Binding.Mac}\n\n[Network]\nAddress={c.Binding.StaticAddress}/{net.Subnet.PrefixLength}\n");
            if (net.Dhcp.Router is { } gw) network.Append("Gateway=").Append(gw).Append('\n');
            foreach (var d in c.Dns) network.Append("DNS=").Append(d).Append('\n');
            if (c.Site.Site.Domain is { } domain) network.Append("Domains=").Append(domain).Append('\n');
            File(w, "/etc/systemd/network/00-netbootpi.network", network.ToString());
        }
        w.WriteEndArray();
        w.WriteStartArray("links");
        w.WriteStartObject();
        w.WriteString("path", "/etc/localtime");
        w.WriteString("target", "/usr/share/zoneinfo/" + c.Install.TimeZone);
        w.WriteBoolean("overwrite", true);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>The parts both configs share: the version and the user with the site's keys; then <paramref name="rest"/>.</summary>
    private static string Json(Context c, Action<Utf8JsonWriter> rest)
    {
        // Relaxed: a key's '+' stays itself, not \u002B; the file is served as JSON, never inside HTML.
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteStartObject("ignition");
            w.WriteString("version", IgnitionVersion);
            w.WriteEndObject();
            w.WriteStartObject("passwd");
            w.WriteStartArray("users");
            w.WriteStartObject();
            w.WriteString("name", c.Install.User);
            if (c.Install.PasswordHash is { } hash) w.WriteString("passwordHash", hash);
            w.WriteStartArray("sshAuthorizedKeys");
            foreach (var k in c.Site.Site.SshKeys) w.WriteStringValue(k);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            rest(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
    }

    private static void File(Utf8JsonWriter w, string path, string contents)
    {
        w.WriteStartObject();
        w.WriteString("path", path);
        w.WriteBoolean("overwrite", true);
        w.WriteNumber("mode", 420); // 0644
        w.WriteStartObject("contents");
        // RFC 2397 data URL, its text percent-encoded (RFC 3986 §2.1).
        w.WriteString("source", "data:," + Uri.EscapeDataString(contents));
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
