using System.Collections.Immutable;
using System.Text.RegularExpressions;
using NetbootPi.Agent.Site.Yaml;

namespace NetbootPi.Agent.Site;

internal sealed partial class SiteReader
{
    private static readonly string[] ProfileKeys =
        ["alpine", "kernel", "initrd", "nfsroot", "nfsroot_mode", "local", "menu", "default", "cmdline", "console", "menu_timeout", "recovery", "sanboot", "pxe", "install"];
    private static readonly string[] AlpineKeys = ["mirror", "branch", "version", "flavor", "arch"];
    private static readonly string[] KindKeys = ["kernel", "alpine", "local", "menu", "sanboot"];
    private static readonly string[] AlpineArches = ["x86_64", "x86", "aarch64", "armv7", "armhf", "ppc64le", "s390x", "riscv64"];

    private List<Located<BootProfile>> ReadProfiles(YamlNode node)
    {
        var result = new List<Located<BootProfile>>();
        if (node is YamlScalar { IsNull: true }) return result;
        if (node is not YamlMapping map)
        {
            Error(node, "profiles", $"expected a mapping of profile names to profiles, found {node.Describe()}");
            return result;
        }
        foreach (var (key, value) in map.Entries)
        {
            var path = $"profiles.{key.Value}";
            var nameOk = true;
            if (key.Value == SiteInventory.NoProfile)
            {
                Error(key, path, "'none' is reserved: it means no boot offer (expected another profile name)");
                nameOk = false;
            }
            else if (!IsProfileName(key.Value))
            {
                Error(key, path, $"'{key.Value}' is not a valid profile name (expected lowercase letters, digits, '.', '-' or '_', like ubuntu-nfs)");
                nameOk = false;
            }
            if (ReadProfile(key.Value, value, path) is { } p && nameOk) result.Add(new(p, value, key));
        }
        return result;
    }

    private BootProfile? ReadProfile(string name, YamlNode node, string path)
    {
        var m = Mapping(node, path, "a mapping with one of kernel, alpine, local, menu or sanboot", ProfileKeys);
        if (m is null) return null;
        var kinds = KindKeys.Where(m.ContainsKey).ToList();
        if (kinds.Count == 0)
        {
            Error(node, path, "profile has none of kernel, alpine, local, menu or sanboot (expected exactly one, e.g. kernel: path/to/vmlinuz)");
            return null;
        }
        if (kinds.Count > 1)
        {
            Error(m[kinds[1]], $"{path}.{kinds[1]}", $"profile has both {kinds[0]} and {kinds[1]} (expected exactly one of kernel, alpine, local, menu or sanboot)");
            return null;
        }
        var before = _errors.Count;
        var kind = kinds[0] switch
        {
            "alpine" => ProfileKind.Alpine,
            "kernel" => ProfileKind.Kernel,
            "local" => ProfileKind.Local,
            "sanboot" => ProfileKind.Sanboot,
            _ => ProfileKind.Menu,
        };
        // Keys that only make sense for another kind are errors, not silently ignored settings.
        foreach (var (key, only) in (ReadOnlySpan<(string, ProfileKind)>)
                 [("initrd", ProfileKind.Kernel), ("nfsroot", ProfileKind.Kernel), ("nfsroot_mode", ProfileKind.Kernel), ("default", ProfileKind.Menu), ("pxe", ProfileKind.Local), ("install", ProfileKind.Kernel)])
        {
            if (m.TryGetValue(key, out var extra) && kind != only)
                Error(extra, $"{path}.{key}", $"only a {only.ToString().ToLowerInvariant()} profile takes {key} (this profile is {kinds[0]})");
        }
        if (kind is ProfileKind.Local or ProfileKind.Sanboot)
        {
            foreach (var key in (ReadOnlySpan<string>)["cmdline", "console"])
                if (m.TryGetValue(key, out var extra))
                    Error(extra, $"{path}.{key}", kind == ProfileKind.Local
                        ? $"a local-disk profile boots no kernel, so {key} has no meaning (remove it)"
                        : $"a sanboot profile boots an image's own loader, so {key} has no meaning (remove it)");
        }
        string? image = null;
        if (kind == ProfileKind.Sanboot && Scalar(m["sanboot"], $"{path}.sanboot", "an image name of the catalog, like debian-12.iso") is { } sb)
        {
            if (Media.Catalog.ImageName.Refusal(sb.Value) is { } bad) Error(sb, $"{path}.sanboot", $"{bad} (an image of the catalog, served at /images/NAME: netbootpi media list)");
            else image = sb.Value;
        }

        var alpine = kind == ProfileKind.Alpine ? ReadAlpine(m["alpine"], $"{path}.alpine") : null;
        var kernel = kind == ProfileKind.Kernel ? Artifact(m["kernel"], $"{path}.kernel", "a kernel path or URL") : null;
        var initrds = m.TryGetValue("initrd", out var ir) && kind == ProfileKind.Kernel
            ? StringList(ir, $"{path}.initrd", "initrd paths or URLs", (s, p) => CheckArtifact(s, p))
            : [];
        string? nfsroot = null;
        if (m.TryGetValue("nfsroot", out var nr) && kind == ProfileKind.Kernel)
        {
            nfsroot = AbsolutePath(nr, $"{path}.nfsroot");
            if (nfsroot is not null && !PlaceholdersAreKnown(nfsroot))
            {
                Error(nr, $"{path}.nfsroot", $"'{nfsroot}' uses an unknown placeholder (expected only {{mac}} and {{name}})");
                nfsroot = null;
            }
            else if (nfsroot is not null && !IsExportablePath(nfsroot))
            {
                Error(nr, $"{path}.nfsroot", $"'{nfsroot}' has characters an exports file cannot hold as they are (expected letters, digits and / . _ - + besides the placeholders)");
                nfsroot = null;
            }
        }
        // A kernel or initrd from the machine's own root needs that root.
        if (kind == ProfileKind.Kernel && nfsroot is null && !m.ContainsKey("nfsroot"))
        {
            if (kernel is not null && NfsRootArtifact.InRoot(kernel) is not null)
                Error(m["kernel"], $"{path}.kernel", $"'{kernel}' is inside the machine's NFS root, but this profile has no nfsroot (expected nfsroot: /srv/nfsroots/{{mac}}, or a path in the data directory)");
            foreach (var initrd in initrds.Where(i => NfsRootArtifact.InRoot(i) is not null))
                Error(ir!, $"{path}.initrd", $"'{initrd}' is inside the machine's NFS root, but this profile has no nfsroot (expected nfsroot: /srv/nfsroots/{{mac}}, or a path in the data directory)");
        }
        var nfsMode = m.TryGetValue("nfsroot_mode", out var nm) && kind == ProfileKind.Kernel ? ReadNfsRootMode(nm, $"{path}.nfsroot_mode", nfsroot, nr) : NfsRootMode.PerHost;
        if (kind == ProfileKind.Local && Boolean(m["local"], $"{path}.local") == false)
            Error(m["local"], $"{path}.local", "local: false describes nothing to boot (expected local: true, or another kind)");
        var menu = kind == ProfileKind.Menu
            ? StringList(m["menu"], $"{path}.menu", "profile names", (s, _) => s.Value)
            : [];
        if (kind == ProfileKind.Menu && menu.IsEmpty && _errors.Count == before)
            Error(m["menu"], $"{path}.menu", "the menu lists no profiles (expected a list of profile names)");
        // What a one-time network boot serves a host of this local-disk profile (Redfish's Boot override to Pxe,
        // netbootpi next-boot HOST pxe); that it names a profile that boots something is checked with the others.
        var pxe = m.TryGetValue("pxe", out var px) && kind == ProfileKind.Local ? Name(px, $"{path}.pxe", "profile name", IsProfileName, "a profile name like rescue") : null;
        var menuDefault = m.TryGetValue("default", out var df) && kind == ProfileKind.Menu ? String(df, $"{path}.default", "a profile name from the menu") : null;
        var cmdline = m.TryGetValue("cmdline", out var cl) ? String(cl, $"{path}.cmdline", "kernel command-line arguments") : null;
        var console = m.TryGetValue("console", out var co) ? String(co, $"{path}.console", "a console device like tty0 or ttyS0,115200") : null;
        TimeSpan? timeout = m.TryGetValue("menu_timeout", out var mt) ? Duration(mt, $"{path}.menu_timeout") : null;
        RecoveryPolicy? recovery = null;
        if (m.TryGetValue("recovery", out var rn))
        {
            recovery = ReadRecovery(rn, $"{path}.recovery", onHost: false, out _);
            // Up without a probe means "its kernel was fetched"; a local disk fetches none from the box.
            if (recovery is { ProbePort: null } && kind is ProfileKind.Local or ProfileKind.Sanboot)
                Error(rn, $"{path}.recovery", "a local-disk profile fetches no kernel from the box, so only a probe can tell it booted (expected probe: tcp:PORT, like tcp:22)");
        }
        var install = m.TryGetValue("install", out var ins) && kind == ProfileKind.Kernel ? ReadInstall(ins, $"{path}.install") : null;
        if (_errors.Count != before) return null;
        return new BootProfile(name, kind, alpine, kernel, initrds, nfsroot, menu, menuDefault, cmdline, console, timeout, node.Location)
        {
            NfsRootMode = nfsMode,
            Recovery = recovery,
            Image = image,
            Pxe = pxe,
            Install = install,
        };
    }

    private AlpineRelease? ReadAlpine(YamlNode node, string path)
    {
        var m = Mapping(node, path, "a mapping with mirror, branch, version, flavor and arch", AlpineKeys, ["mirror", "branch", "version"]);
        if (m is null) return null;
        var mirror = m.TryGetValue("mirror", out var mi) ? Url(mi, $"{path}.mirror") : null;
        string? branch = null;
        if (m.TryGetValue("branch", out var b) && Scalar(b, $"{path}.branch", "an Alpine branch like v3.13 or edge") is { } bs)
        {
            if (AlpineBranchRegex().IsMatch(bs.Value)) branch = bs.Value;
            else Error(bs, $"{path}.branch", $"'{bs.Value}' is not an Alpine branch (expected vMAJOR.MINOR like v3.13, or edge)");
        }
        string? version = null;
        if (m.TryGetValue("version", out var v) && Scalar(v, $"{path}.version", "an Alpine version like 3.13.2") is { } vs)
        {
            if (AlpineVersionRegex().IsMatch(vs.Value)) version = vs.Value;
            else Error(vs, $"{path}.version", $"'{vs.Value}' is not an Alpine release version (expected MAJOR.MINOR.PATCH like 3.13.2)");
        }
        if (branch is not null && version is not null && branch != "edge" && !version.StartsWith(branch[1..] + ".", StringComparison.Ordinal))
        {
            Error(v!, $"{path}.version", $"version {version} is not on branch {branch} (expected {branch[1..]}.N)");
            version = null;
        }
        var flavor = m.TryGetValue("flavor", out var f)
            ? Name(f, $"{path}.flavor", "kernel flavor", s => ProfileNameRegex().IsMatch(s), "a flavor like lts or virt")
            : "lts";
        string? arch = "x86_64";
        if (m.TryGetValue("arch", out var a) && Scalar(a, $"{path}.arch", "an Alpine architecture like x86_64") is { } asv)
        {
            arch = AlpineArches.Contains(asv.Value) ? asv.Value : null;
            if (arch is null)
            {
                var hint = Suggest(asv.Value, AlpineArches);
                Error(asv, $"{path}.arch", $"unknown architecture '{asv.Value}' ({(hint is null ? "" : $"did you mean '{hint}'? ")}expected one of: {string.Join(", ", AlpineArches)})");
            }
        }
        return mirror is null || branch is null || version is null || flavor is null || arch is null
            ? null
            : new AlpineRelease(mirror.TrimEnd('/'), branch, version, flavor, arch);
    }

    private string? Url(YamlNode node, string path)
    {
        var s = Scalar(node, path, "an http:// or https:// URL");
        if (s is null) return null;
        if (Uri.TryCreate(s.Value, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps) && u.Host.Length > 0)
            return s.Value;
        Error(s, path, $"'{s.Value}' is not an http:// or https:// URL (expected a URL like http://dl-cdn.alpinelinux.org/alpine)");
        return null;
    }

    private string? Artifact(YamlNode node, string path, string expected) =>
        Scalar(node, path, expected) is { } s ? CheckArtifact(s, path) : null;

    /// <summary>
    /// A boot file: a URL, a path relative to the data directory that cannot leave it, or a path inside the
    /// machine's own NFS root (<c>{nfsroot}/vmlinuz</c>; whether the profile has one is checked with the profile).
    /// </summary>
    private string? CheckArtifact(YamlScalar s, string path)
    {
        var v = s.Value;
        if (v.StartsWith("http://", StringComparison.Ordinal) || v.StartsWith("https://", StringComparison.Ordinal))
            return Url(s, path);
        if (v.StartsWith('{'))
        {
            if (NfsRootArtifact.InRoot(v) is { } inside && inside.Length > 0 && !inside.Split('/').Any(seg => seg is ".." or "." or "" || seg.StartsWith('.'))
                && !inside.Contains('\\') && !inside.Contains('\0') && !inside.Contains('{'))
                return v;
            Error(s, path, $"'{v}' is not a path inside the machine's NFS root (expected {NfsRootArtifact.Prefix}PATH like {NfsRootArtifact.Prefix}vmlinuz, PATH relative, without '..' or hidden names)");
            return null;
        }
        if (v.StartsWith('/') || v.Contains('\\') || v.Contains('\0') || v.Split('/').Any(seg => seg is ".." or "." or ""))
        {
            Error(s, path, $"'{v}' is not a path inside the data directory (expected a relative path like ubuntu/18.04.2/vmlinuz, without '..', or an http:// URL)");
            return null;
        }
        return v;
    }

    private static bool PlaceholdersAreKnown(string s) =>
        PlaceholderRegex().Matches(s).All(m => m.Value is "{mac}" or "{name}") && !s.Replace("{mac}", "").Replace("{name}", "").Contains('{');

    [GeneratedRegex("^(v[0-9]+\\.[0-9]+|edge)$")]
    private static partial Regex AlpineBranchRegex();
    [GeneratedRegex("^[0-9]+\\.[0-9]+\\.[0-9]+$")]
    private static partial Regex AlpineVersionRegex();
    [GeneratedRegex("\\{[^}]*\\}")]
    private static partial Regex PlaceholderRegex();
}
