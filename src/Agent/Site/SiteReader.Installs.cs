using System.Collections.Immutable;
using System.Text.RegularExpressions;
using NetbootPi.Agent.Site.Yaml;

namespace NetbootPi.Agent.Site;

// profiles.NAME.install: unattended installs rendered per host (docs/installs.md).
internal sealed partial class SiteReader
{
    private static readonly string[] InstallKeys = ["kind", "then", "disk", "packages", "timezone", "password_hash", "user", "template"];
    private static readonly string[] InstallKindNames = ["preseed", "autoinstall", "nocloud", "kickstart", "ignition"];

    private InstallSettings? ReadInstall(YamlNode node, string path)
    {
        var m = Mapping(node, path, "a mapping with kind, then, disk, packages, timezone, password_hash, user and template", InstallKeys, ["kind", "then"]);
        if (m is null) return null;
        var before = _errors.Count;
        InstallKind? kind = null;
        if (m.TryGetValue("kind", out var kn) && Scalar(kn, $"{path}.kind", "an installer: " + string.Join(", ", InstallKindNames)) is { } ks)
        {
            kind = InstallSettings.ParseKind(ks.Value);
            if (kind is null)
            {
                var hint = Suggest(ks.Value, InstallKindNames);
                Error(ks, $"{path}.kind", $"unknown installer '{ks.Value}' ({(hint is null ? "" : $"did you mean '{hint}'? ")}expected one of: {string.Join(", ", InstallKindNames)})");
            }
        }
        var then = m.TryGetValue("then", out var tn) ? Name(tn, $"{path}.then", "profile name", IsProfileName, "the local-disk profile its hosts boot once installed, like disk") : null;
        string? disk = null;
        if (m.TryGetValue("disk", out var dn) && Scalar(dn, $"{path}.disk", "a disk device like /dev/sda") is { } ds)
        {
            if (DiskRegex().IsMatch(ds.Value)) disk = ds.Value;
            else Error(ds, $"{path}.disk", $"'{ds.Value}' names no disk (expected a device path like /dev/sda, /dev/nvme0n1 or /dev/disk/by-id/NAME)");
        }
        else if (!m.ContainsKey("disk") && kind is not null and not InstallKind.NoCloud)
            Error(node, $"{path}.disk", $"a {InstallSettings.KindName(kind.Value)} install writes a disk, and this one names none (expected disk: /dev/sda or the like)");
        if (kind == InstallKind.NoCloud && dn is not null && disk is not null)
            Error(dn, $"{path}.disk", "nocloud configures a system that is already there and installs to no disk (remove disk, or use autoinstall)");
        var packages = m.TryGetValue("packages", out var pn)
            ? StringList(pn, $"{path}.packages", "package names", (s, p) =>
            {
                if (PackageRegex().IsMatch(s.Value)) return s.Value;
                Error(s, p, $"'{s.Value}' is not a package name (expected letters, digits and + . _ -, or @group for kickstart)");
                return null;
            })
            : [];
        if (kind == InstallKind.Ignition && !packages.IsEmpty)
            Error(pn!, $"{path}.packages", "Ignition installs no packages (Flatcar and Fedora CoreOS are images; remove packages, or use a systemd unit in the template of another kind)");
        if (kind is not null and not InstallKind.Kickstart)
            foreach (var (p, i) in packages.Select((p, i) => (p, i)).Where(x => x.p.StartsWith('@')))
                Error(pn is YamlSequence seq ? seq.Items[i] : pn!, $"{path}.packages", $"'{p}': only kickstart has package groups (@NAME)");
        var timezone = "Etc/UTC";
        if (m.TryGetValue("timezone", out var tz) && Scalar(tz, $"{path}.timezone", "a time zone like Europe/Dublin") is { } tzs)
        {
            if (TimeZoneRegex().IsMatch(tzs.Value) && !tzs.Value.Split('/').Contains("..")) timezone = tzs.Value;
            else Error(tzs, $"{path}.timezone", $"'{tzs.Value}' is not a time zone name (expected an IANA name like Europe/Dublin or Etc/UTC)");
        }
        string? hash = null;
        if (m.TryGetValue("password_hash", out var ph) && Scalar(ph, $"{path}.password_hash", "a crypt(3) hash like $6$salt$... (mkpasswd -m sha-512)") is { } phs)
        {
            if (CryptHashRegex().IsMatch(phs.Value)) hash = phs.Value;
            else Error(phs, $"{path}.password_hash", "not a crypt(3) hash: the site holds passwords only as hashes (expected $6$SALT$HASH or $y$... as 'mkpasswd -m sha-512' or 'mkpasswd -m yescrypt' prints; the value is not shown here)");
        }
        var user = m.TryGetValue("user", out var un)
            ? Name(un, $"{path}.user", "user name", s => UserRegex().IsMatch(s) && s != "root", "a lowercase login name like admin, not root")
            : kind == InstallKind.Ignition ? "core" : InstallSettings.DefaultUser;
        if (kind == InstallKind.Ignition && un is not null && user is not null && user != "core")
            Error(un, $"{path}.user", "Ignition configures the image's own user core (Flatcar and Fedora CoreOS both have it; expected user: core, or no user)");
        InstallTemplate? template = null;
        if (m.TryGetValue("template", out var tp) && Scalar(tp, $"{path}.template", "a file name beside the site file") is { } tps)
        {
            if (kind == InstallKind.Ignition)
                Error(tps, $"{path}.template", "an Ignition config is JSON, which text cannot be merged into (remove template; docs/installs.md says what the rendered config holds)");
            else template = ReadTemplate(tps, $"{path}.template");
        }
        if (_errors.Count != before || kind is null || then is null || user is null) return null;
        return new InstallSettings(kind.Value, then, disk, packages, timezone, hash, user, template, node.Location);
    }

    private InstallTemplate? ReadTemplate(YamlScalar named, string path)
    {
        var name = named.Value;
        if (name.StartsWith('/') || name.Contains('\\') || name.Contains('\0') || name.Split('/').Any(s => s is "" or "." or ".."))
        {
            Error(named, path, $"'{name}' is not a file beside the site file (expected a relative path without '..', like debian.preseed)");
            return null;
        }
        var file = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(_file)) ?? ".", name);
        string text;
        try
        {
            var info = new FileInfo(file);
            if (info.Exists && info.Length > InstallTemplate.MaxBytes)
            {
                Error(named, path, $"{file} is {info.Length} bytes (expected a template under {InstallTemplate.MaxBytes / 1024} KiB)");
                return null;
            }
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Error(named, path, $"cannot read {file}: {Os.Files.FileErrors.Reason(e, file)}");
            return null;
        }
        return InstallTemplate.Parse(file, text, path, _errors);
    }

    /// <summary>An install's then: names a profile that installs nothing (its hosts would install again and again).</summary>
    private void CheckInstallThen(Located<BootProfile> located, Dictionary<string, BootProfile> byName, List<Located<BootProfile>> profiles)
    {
        if (located.Value.Install is not { } install) return;
        var installNode = ((YamlMapping)located.Node).Entries.First(e => e.Key.Value == "install").Value;
        var node = ((YamlMapping)installNode).Entries.First(e => e.Key.Value == "then").Value;
        var path = $"profiles.{located.Value.Name}.install.then";
        if (!byName.TryGetValue(install.Then, out var target) && !_declaredProfiles.Contains(install.Then))
            Error(node, path, UnknownProfile(install.Then, profiles.Where(x => x.Value.Install is null).ToList(), allowNone: false));
        else if (target?.Install is not null)
            Error(node, path, $"'{install.Then}' installs too (expected the profile its hosts boot once installed, normally local: true)");
    }

    /// <summary>
    /// What only a host can tell: its template's values, and whether the installer can reach the box with the
    /// address the host is to have.
    /// </summary>
    private void CheckInstallHosts(SiteInventory site, List<Located<HostEntry>> hosts)
    {
        foreach (var located in hosts)
        {
            var binding = site.Resolve(located.Value.Mac);
            if (binding.Profile?.Install is not { } install) continue;
            var h = located.Value;
            var path = $"hosts.{h.Name}";
            if (install.Template is { } template)
            {
                var values = InstallValues.For(site, binding, "http://BOX", "http://BOX/done");
                foreach (var (name, at) in template.Uses)
                    if (values(name) is null)
                        Error(located.Key, path, $"profile {binding.ProfileName}'s template uses {{{{ {name} }}}} at {at}, which host {h.Name} has no value for ({InstallValues.Why(name)})");
            }
            // debian-installer configures its network (by DHCP) before it can fetch a preseed: the address it
            // gets is the one the host keeps, and only the box's own DHCP knows the host's.
            if (install.Kind == InstallKind.Preseed && h.Ip is { } ip && binding.Network is { } net && net.Dhcp.Mode != DhcpMode.Authoritative)
                Error(located.At("ip"), $"{path}.ip", $"a preseed cannot give the installer its address {ip}: debian-installer takes one by DHCP before it reads the preseed, and network {net.Name} gets none from the box (dhcp mode {net.Dhcp.Mode.ToString().ToLowerInvariant()}; expected dhcp: {{ mode: authoritative }} there, or kickstart or autoinstall, which carry the address)");
        }
    }

    [GeneratedRegex("^/dev/[A-Za-z0-9][A-Za-z0-9/_.:+-]*$")]
    private static partial Regex DiskRegex();
    [GeneratedRegex("^@?\\^?[A-Za-z0-9][A-Za-z0-9+._-]{0,127}$")]
    private static partial Regex PackageRegex();
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}$")]
    private static partial Regex TimeZoneRegex();
    // crypt(3) as glibc and libxcrypt write it: $id$[rounds=N$]salt$hash (sha-256 5, sha-512 6) or yescrypt $y$params$salt$hash.
    [GeneratedRegex("^(\\$[56]\\$(rounds=[0-9]{1,9}\\$)?[./A-Za-z0-9]{1,16}\\$[./A-Za-z0-9]{22,86}|\\$y\\$[./A-Za-z0-9]+\\$[./A-Za-z0-9]{1,86}\\$[./A-Za-z0-9]{43})$")]
    private static partial Regex CryptHashRegex();
    [GeneratedRegex("^[a-z_][a-z0-9_-]{0,31}$")]
    private static partial Regex UserRegex();
}
