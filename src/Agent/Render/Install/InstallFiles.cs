using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Render.Install;

/// <summary>
/// The files an installing host fetches, rendered from the site for that host alone: a pure function of the
/// snapshot, the host's binding and the URLs of this install (the box as the host reaches it, its token). Nothing is
/// copied from elsewhere; the same inputs always give the same bytes. One partial per installer format.
/// </summary>
public static partial class InstallFiles
{
    /// <summary>What one rendering needs beyond the site: where the files are and where completion is reported.</summary>
    /// <param name="BoxUrl">The box as the host reaches it, like <c>http://10.69.0.1</c>.</param>
    /// <param name="Folder">The host's install folder with its token (<see cref="BootUrls.Install"/>), ending in '/'.</param>
    /// <param name="Generation">The install's number: a reinstall is a new instance to cloud-init.</param>
    public sealed record Urls(string BoxUrl, string Folder, int Generation)
    {
        public string Done => Folder + BootUrls.InstallDone;
    }

    /// <summary>The files an install of <paramref name="kind"/> serves, the first being the one the kernel is pointed at.</summary>
    public static ImmutableArray<string> Names(InstallKind kind) => kind switch
    {
        InstallKind.Preseed => ["preseed.cfg"],
        InstallKind.Kickstart => ["ks.cfg"],
        InstallKind.Ignition => ["config.ign", "installed.ign"],
        _ => ["user-data", "meta-data", "vendor-data"],
    };

    /// <summary>The kernel arguments that point the installer at its file in <paramref name="folder"/>.</summary>
    public static string KernelArguments(InstallKind kind, string folder) => kind switch
    {
        // auto=true delays the locale questions until the preseed is read; priority=critical asks only what it lacks.
        InstallKind.Preseed => $"auto=true priority=critical url={folder}preseed.cfg",
        // subiquity reads cloud-init's NoCloud seed; without "autoinstall" it would ask before wiping a disk.
        InstallKind.Autoinstall => $"autoinstall ds=nocloud-net;s={folder}",
        // nocloud-net: Debian 12's cloud-init (22.4) takes an http:// seed only under that name; 24.1 and later take both.
        InstallKind.NoCloud => $"ds=nocloud-net;s={folder}",
        InstallKind.Kickstart => $"inst.ks={folder}ks.cfg",
        _ => $"ignition.config.url={folder}config.ign ignition.firstboot ignition.platform.id=metal",
    };

    /// <summary><paramref name="file"/> for <paramref name="binding"/>'s host; null when its install has no such file.</summary>
    /// <exception cref="InstallRenderException">The host's template does not render (the site reader checks this, so a bug).</exception>
    public static string? Render(SiteInventory site, HostBinding binding, Urls urls, string file)
    {
        if (binding.Profile?.Install is not { } install || binding.Host is not { } host || !Names(install.Kind).Contains(file)) return null;
        var values = InstallValues.For(site, binding, urls.BoxUrl, urls.Done);
        var ctx = new Context(site, binding, host, install, urls, values, Template(install, values));
        return install.Kind switch
        {
            InstallKind.Preseed => Preseed(ctx),
            InstallKind.Kickstart => Kickstart(ctx),
            InstallKind.Ignition => file == "config.ign" ? IgnitionLive(ctx) : IgnitionInstalled(ctx),
            _ => file switch
            {
                "user-data" => install.Kind == InstallKind.Autoinstall ? Autoinstall(ctx) : CloudConfig(ctx),
                "meta-data" => MetaData(ctx),
                // cloud-init asks for it; there is nothing the vendor adds.
                _ => "",
            },
        };
    }

    private sealed record Context(SiteInventory Site, HostBinding Binding, HostEntry Host, InstallSettings Install, Urls Urls,
        Func<string, string?> Values, string? Template)
    {
        public string Header(string comment) =>
            $"{comment} netbootpi site {Site.Site.Name}: {Install.Kind.ToString().ToLowerInvariant()} for {Host.Name} ({Binding.Mac}), install {Urls.Generation}, rendered from the site file";

        public NetworkConfig? StaticNetwork => Binding.StaticAddress is not null ? Binding.Network : null;

        public ImmutableArray<Protocols.Net.Ipv4Address> Dns => Binding.Network is { } n ? Site.DnsServersFor(n) : [];
    }

    private static string? Template(InstallSettings install, Func<string, string?> values)
    {
        if (install.Template is not { } template) return null;
        return template.Render(values, out var problem) ?? throw new InstallRenderException(problem!);
    }

    /// <summary>A YAML double-quoted scalar, which is also a JSON string: any text, on one line.</summary>
    private static string Quote(string s)
    {
        var b = new StringBuilder(s.Length + 2).Append('"');
        foreach (var c in s)
        {
            if (c is '"' or '\\') b.Append('\\').Append(c);
            else if (c < ' ' || c == '\u007f') b.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else b.Append(c);
        }
        return b.Append('"').ToString();
    }

    /// <summary>A word for a POSIX shell: single-quoted, a quote inside closed, escaped and reopened.</summary>
    private static string ShellQuote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static void AppendTemplate(LineWriter w, string? text, string indent = "")
    {
        if (text is null) return;
        w.Line(indent.Length == 0 ? "# from the profile's template" : indent + "# from the profile's template");
        foreach (var line in text.TrimEnd('\n').Split('\n')) w.Line(line.Length == 0 ? "" : indent + line);
    }
}
