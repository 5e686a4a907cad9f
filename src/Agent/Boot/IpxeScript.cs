using System.Globalization;
using System.Text;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Boot;

/// <summary>
/// Renders iPXE scripts: a pure function of the site snapshot, the machine's binding and the request.
/// Every script is plain text with '\n' line ends; the same inputs always give the same bytes.
/// </summary>
/// <remarks>
/// Speed: no script runs <c>dhcp</c> or <c>ifconf</c>. iPXE is already configured when it fetches the script,
/// and configuring again would repeat the wait for IPv6 autoconfiguration (about 13 s on a segment without
/// router advertisements). Robustness: every download is retried after a short pause instead of dropping to a
/// dead end, so a box that is still starting or a slow emulated machine gets there in the end; Ctrl-C during
/// the pause opens the iPXE shell.
/// </remarks>
public static partial class IpxeScript
{
    /// <summary>Seconds between download retries: long enough not to hammer a restarting box.</summary>
    private const int RetrySeconds = 5;

    /// <summary>
    /// The generic entry (<c>chain http://BOX/boot.ipxe</c> typed at an iPXE prompt, or a DHCP answer that does
    /// not name the machine): it identifies the machine by its first NIC's MAC and continues with its script.
    /// </summary>
    public static string RenderGeneric(BootRequest request)
    {
        var w = new StringBuilder();
        w.Append("#!ipxe\n");
        w.Append("# netbootpi: continue with this machine's own script\n");
        w.Append(":start\n");
        // ${net0/mac} is the colon form BootUrls.Script names scripts by.
        w.Append(CultureInfo.InvariantCulture, $"chain --autofree {request.BoxUrl}/boot/${{net0/mac}}.ipxe || goto failed\n");
        AppendFailed(w, "", "start");
        return w.ToString();
    }

    /// <summary>The script for the machine <paramref name="binding"/> describes, from its boot profile.</summary>
    public static string Render(SiteInventory site, HostBinding binding, BootRequest request)
    {
        var w = new StringBuilder();
        w.Append("#!ipxe\n");
        var who = binding.Host is { } h ? $"{h.Name} ({binding.Mac})" : $"unknown machine {binding.Mac}";
        w.Append(CultureInfo.InvariantCulture, $"# netbootpi site {site.Site.Name}: {who}, profile {binding.ProfileName}\n");
        if (binding.Profile is not { } profile)
        {
            var why = binding.IsKnown
                ? $"{binding.Host!.Name} has profile none"
                : "this machine is not in the site file and defaults.profile is none";
            w.Append(CultureInfo.InvariantCulture, $"echo netbootpi: no network boot for {binding.Mac}: {why}\n");
            AppendExitComment(w);
            w.Append("exit\n");
            return w.ToString();
        }
        var ctx = new Context(site, binding, request, who);
        if (profile.Kind == ProfileKind.Menu) AppendMenuProfile(w, ctx, profile);
        else AppendProfile(w, ctx, profile, prefix: "");
        return w.ToString();
    }

    private sealed record Context(SiteInventory Site, HostBinding Binding, BootRequest Request, string Who);

    private static void AppendProfile(StringBuilder w, Context ctx, BootProfile profile, string prefix)
    {
        switch (profile.Kind)
        {
            case ProfileKind.Alpine:
                AppendAlpine(w, ctx, profile, prefix);
                break;
            case ProfileKind.Kernel:
                AppendKernel(w, ctx, profile, prefix);
                break;
            case ProfileKind.Local:
                w.Append(CultureInfo.InvariantCulture, $"echo netbootpi: {ctx.Who} boots from its local disk\n");
                AppendExitComment(w);
                w.Append("exit\n");
                break;
            default:
                throw new InvalidOperationException($"profile {profile.Name}: menus cannot nest (the site reader rejects them)");
        }
    }

    private static void AppendExitComment(StringBuilder w) =>
        // exit hands control back to the firmware, which goes on to its next boot device (normally the local
        // disk). sanboot would need the disk's number, exists only for BIOS drives, and ignores the boot order
        // the firmware was set up with; exit works the same under BIOS and UEFI.
        w.Append("# exit: the firmware continues with its next boot device (the local disk)\n");

    private static void AppendMenuProfile(StringBuilder w, Context ctx, BootProfile menu)
    {
        var items = menu.MenuItems.Select(ctx.Site.FindProfile).OfType<BootProfile>().ToList();
        var defaultItem = menu.MenuDefault ?? items[0].Name;
        w.Append(":menu\n");
        w.Append(CultureInfo.InvariantCulture, $"menu netbootpi: {ctx.Who}\n");
        foreach (var p in items)
            w.Append(CultureInfo.InvariantCulture, $"item {Label(p.Name, "start")} {p.Name}{(p.Name == defaultItem ? " (default)" : "")}\n");
        w.Append("item --gap\n");
        w.Append("item shell iPXE shell\n");
        w.Append("item exit Exit (boot the next device)\n");
        w.Append(CultureInfo.InvariantCulture,
            $"choose{TimeoutOption(menu.MenuTimeout)} --default {Label(defaultItem, "start")} target || goto shell\n");
        w.Append("goto ${target}\n");
        w.Append(":shell\n");
        w.Append("shell\n");
        w.Append("goto menu\n");
        w.Append(":exit\n");
        AppendExitComment(w);
        w.Append("exit\n");
        foreach (var p in items)
        {
            w.Append(CultureInfo.InvariantCulture, $"\n# profile {p.Name}\n");
            w.Append(CultureInfo.InvariantCulture, $":{Label(p.Name, "start")}\n");
            AppendProfile(w, ctx, p, p.Name + "-");
        }
    }

    /// <summary>Labels of a profile inside a menu carry its name, so two items never share a label.</summary>
    private static string Label(string profile, string label) => $"{profile}-{label}";

    private static string TimeoutOption(TimeSpan? timeout) =>
        timeout is { } t ? $" --timeout {(long)t.TotalMilliseconds}" : "";

    private static void AppendKernel(StringBuilder w, Context ctx, BootProfile profile, string prefix)
    {
        var args = new List<string>();
        // Under UEFI iPXE hands initrds to the kernel by name: initrd=NAME must be on the command line.
        foreach (var initrd in profile.Initrds) args.Add("initrd=" + FileName(initrd));
        if (profile.NfsRoot is { } nfsroot)
        {
            // The kernel mounts its root itself: it needs an address first, hence ip=dhcp.
            args.Add("root=/dev/nfs");
            args.Add($"nfsroot={ctx.Request.BoxAddress}:{ctx.Binding.ExpandPlaceholders(nfsroot)}");
            args.Add("ip=dhcp");
        }
        AddExtra(args, profile.Cmdline);
        if (profile.Console is { } console) args.Add("console=" + console);

        w.Append(CultureInfo.InvariantCulture, $":{prefix}boot\n");
        w.Append("imgfree\n");
        w.Append(CultureInfo.InvariantCulture,
            $"kernel {ArtifactUrl(ctx, profile, profile.Kernel!)} {string.Join(' ', args)} || goto {prefix}failed\n");
        foreach (var initrd in profile.Initrds)
            w.Append(CultureInfo.InvariantCulture, $"initrd {ArtifactUrl(ctx, profile, initrd)} || goto {prefix}failed\n");
        w.Append(CultureInfo.InvariantCulture, $"boot || goto {prefix}failed\n");
        AppendFailed(w, prefix, $"{prefix}boot");
    }

    /// <summary>Site paths are served from the data directory; URLs through the box's cache of them.</summary>
    private static string ArtifactUrl(Context ctx, BootProfile profile, string artifact) =>
        Upstream.UpstreamArtifacts.IsUrl(artifact)
            ? $"{BootUrls.Upstream(ctx.Request.BoxUrl, profile.Name)}/{Uri.EscapeDataString(Upstream.UpstreamArtifacts.FileName(artifact))}"
            : BootUrls.File(ctx.Request.BoxUrl, artifact);

    private static string FileName(string artifact)
    {
        var slash = artifact.LastIndexOf('/');
        return slash < 0 ? artifact : artifact[(slash + 1)..];
    }

    /// <summary>Appends the profile's extra arguments, leaving out those already on the line.</summary>
    private static void AddExtra(List<string> args, string? cmdline)
    {
        if (cmdline is null) return;
        foreach (var a in cmdline.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            if (!args.Contains(a, StringComparer.Ordinal)) args.Add(a);
    }

    private static void AppendFailed(StringBuilder w, string prefix, string retryLabel)
    {
        w.Append(CultureInfo.InvariantCulture, $":{prefix}failed\n");
        w.Append(CultureInfo.InvariantCulture,
            $"echo netbootpi: download failed, retrying in {RetrySeconds} s (Ctrl-C for the iPXE shell)\n");
        w.Append(CultureInfo.InvariantCulture, $"sleep {RetrySeconds} && goto {retryLabel} ||\n");
        w.Append("shell\n");
        w.Append(CultureInfo.InvariantCulture, $"goto {retryLabel}\n");
    }
}
