using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Render.Install;

// cloud-init's NoCloud seed (user-data, meta-data, vendor-data) and Ubuntu's autoinstall inside it. Every value is
// a double-quoted scalar, so no name, key or hash can change the document's shape.
public static partial class InstallFiles
{
    private static string MetaData(Context c)
    {
        var w = new LineWriter();
        // A new instance id per install: cloud-init runs its once-per-instance modules again after a reinstall.
        w.Line($"instance-id: {Quote($"netbootpi-{c.Host.Name}-{c.Urls.Generation}")}");
        w.Line($"local-hostname: {Quote(c.Host.Name)}");
        return w.ToString();
    }

    /// <summary>cloud-config for a system that runs cloud-init itself (a cloud image, an NFS root with cloud-init).</summary>
    private static string CloudConfig(Context c)
    {
        var w = new LineWriter();
        var i = c.Install;
        w.Line("#cloud-config");
        w.Line(c.Header("#"));
        w.Line($"hostname: {Quote(c.Host.Name)}");
        w.Line($"fqdn: {Quote(c.Binding.Fqdn!)}");
        w.Line($"timezone: {Quote(i.TimeZone)}");
        w.Line("users:");
        w.Line($"  - name: {Quote(i.User)}");
        w.Line("    shell: /bin/bash");
        w.Line("    sudo: \"ALL=(ALL) NOPASSWD:ALL\"");
        if (i.PasswordHash is { } hash)
        {
            w.Line("    lock_passwd: false");
            w.Line($"    hashed_passwd: {Quote(hash)}");
        }
        else w.Line("    lock_passwd: true");
        AppendKeys(w, c, "    ssh_authorized_keys:", "      - ");
        if (!i.Packages.IsEmpty)
        {
            w.Line("packages:");
            foreach (var p in i.Packages) w.Line($"  - {Quote(p)}");
        }
        // cloud-config's phone_home: a POST once the system is configured ends the install.
        w.Line("phone_home:");
        w.Line($"  url: {Quote(c.Urls.Done)}");
        w.Line("  post: [instance_id, hostname, fqdn]");
        w.Line("  tries: 10");
        AppendTemplate(w, c.Template);
        return w.ToString();
    }

    /// <summary>Ubuntu Server's autoinstall (subiquity's reference, version 1) as cloud-config.</summary>
    private static string Autoinstall(Context c)
    {
        var w = new LineWriter();
        var i = c.Install;
        w.Line("#cloud-config");
        w.Line(c.Header("#"));
        w.Line("autoinstall:");
        w.Line("  version: 1");
        w.Line("  identity:");
        w.Line($"    hostname: {Quote(c.Host.Name)}");
        w.Line($"    username: {Quote(i.User)}");
        w.Line($"    realname: {Quote(i.User)}");
        // identity needs a password: "!" is no hash any password matches, so the user logs in by key only.
        w.Line($"    password: {Quote(i.PasswordHash ?? "!")}");
        w.Line("  ssh:");
        w.Line("    install-server: true");
        w.Line("    allow-pw: false");
        AppendKeys(w, c, "    authorized-keys:", "      - ");
        w.Line("  storage:");
        w.Line("    layout:");
        w.Line("      name: direct");
        w.Line("      match:");
        w.Line($"        path: {Quote(i.Disk!)}");
        w.Line($"  timezone: {Quote(i.TimeZone)}");
        if (!i.Packages.IsEmpty)
        {
            w.Line("  packages:");
            foreach (var p in i.Packages) w.Line($"    - {Quote(p)}");
        }
        AppendNetplan(w, c, "  ");
        // The installer's last step, before its reboot: the live system has curl.
        w.Line("  late-commands:");
        w.Line($"    - {Quote($"curl -fsS -X POST {ShellQuote(c.Urls.Done)}")}");
        AppendTemplate(w, c.Template, "  ");
        return w.ToString();
    }

    private static void AppendKeys(LineWriter w, Context c, string key, string item)
    {
        if (c.Site.Site.SshKeys.IsEmpty) return;
        w.Line(key);
        foreach (var k in c.Site.Site.SshKeys) w.Line(item + Quote(k));
    }

    /// <summary>The installed system's network as netplan (version 2) reads it: the host's static address, or DHCP.</summary>
    private static void AppendNetplan(LineWriter w, Context c, string indent)
    {
        w.Line($"{indent}network:");
        w.Line($"{indent}  version: 2");
        w.Line($"{indent}  ethernets:");
        w.Line($"{indent}    boot:");
        w.Line($"{indent}      match:");
        w.Line($"{indent}        macaddress: {Quote(c.Binding.Mac.ToString())}");
        if (c.StaticNetwork is not { } net)
        {
            w.Line($"{indent}      dhcp4: true");
            return;
        }
        w.Line($"{indent}      addresses: [{Quote($"{c.Binding.StaticAddress}/{net.Subnet.PrefixLength}")}]");
        if (net.Dhcp.Router is { } gw)
        {
            w.Line($"{indent}      routes:");
            w.Line($"{indent}        - to: default");
            w.Line($"{indent}          via: {Quote(gw.ToString())}");
        }
        if (!c.Dns.IsEmpty)
        {
            w.Line($"{indent}      nameservers:");
            w.Line($"{indent}        addresses: [{string.Join(", ", c.Dns.Select(d => Quote(d.ToString())))}]");
            if (c.Site.Site.Domain is { } domain) w.Line($"{indent}        search: [{Quote(domain)}]");
        }
    }
}
