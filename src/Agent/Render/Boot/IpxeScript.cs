using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Render.Boot;

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
        var w = new LineWriter();
        w.Line("#!ipxe");
        w.Line("# netbootpi: continue with this machine's own script");
        w.Line(":start");
        // ${net0/mac} is the colon form BootUrls.Script names scripts by.
        w.Line($"chain --autofree {request.BoxUrl}/boot/${{net0/mac}}.ipxe || goto failed");
        AppendFailed(w, "", "start");
        return w.ToString();
    }

    /// <summary>
    /// The script for the machine <paramref name="binding"/> describes, from its boot profile; or, once, from
    /// <paramref name="once"/>: the network boot a one-time override (<c>netbootpi next-boot</c>, Redfish) asked for;
    /// or, for a host whose install completed, from <paramref name="installed"/>: its install's <c>then:</c>.
    /// </summary>
    /// <param name="installFolder">The host's install folder with its token (<see cref="BootUrls.Install"/>), which an install profile's kernel is pointed at.</param>
    public static string Render(SiteInventory site, HostBinding binding, BootRequest request, BootProfile? once = null,
        BootProfile? installed = null, string? installFolder = null)
    {
        var w = new LineWriter();
        w.Line("#!ipxe");
        var who = binding.Host is { } h ? $"{h.Name} ({binding.Mac})" : $"unknown machine {binding.Mac}";
        w.Line($"# netbootpi site {site.Site.Name}: {who}, profile {binding.ProfileName}");
        if (binding.Profile is not { } profile)
        {
            var why = binding.IsKnown
                ? $"{binding.Host!.Name} has profile none"
                : "this machine is not in the site file and defaults.profile is none";
            w.Line($"echo netbootpi: no network boot for {binding.Mac}: {why}");
            AppendExitComment(w);
            w.Line("exit");
            return w.ToString();
        }
        if (once is not null)
        {
            w.Line($"# one-time network boot (next-boot pxe): profile {once.Name} this time, then {binding.ProfileName} again");
            profile = once;
        }
        else if (installed is not null)
        {
            w.Line($"# installed: profile {installed.Name} until 'netbootpi reinstall {binding.Host?.Name}'");
            profile = installed;
        }
        var ctx = new Context(site, binding, request, who, installFolder);
        if (profile.Kind == ProfileKind.Menu) AppendMenuProfile(w, ctx, profile);
        else AppendProfile(w, ctx, profile, prefix: "");
        return w.ToString();
    }

    private sealed record Context(SiteInventory Site, HostBinding Binding, BootRequest Request, string Who, string? InstallFolder = null);

    private static void AppendProfile(LineWriter w, Context ctx, BootProfile profile, string prefix)
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
                w.Line($"echo netbootpi: {ctx.Who} boots from its local disk");
                AppendExitComment(w);
                w.Line("exit");
                break;
            case ProfileKind.Sanboot:
                AppendSanboot(w, ctx, profile, prefix);
                break;
            default:
                throw new InvalidOperationException($"profile {profile.Name}: menus cannot nest (the site reader rejects them)");
        }
    }

    private static void AppendExitComment(LineWriter w) =>
        // exit hands control back to the firmware, which goes on to its next boot device (normally the local
        // disk). sanboot would need the disk's number, exists only for BIOS drives, and ignores the boot order
        // the firmware was set up with; exit works the same under BIOS and UEFI.
        w.Line("# exit: the firmware continues with its next boot device (the local disk)");

    private static void AppendMenuProfile(LineWriter w, Context ctx, BootProfile menu)
    {
        var items = menu.MenuItems.Select(ctx.Site.FindProfile).OfType<BootProfile>().ToList();
        var defaultItem = menu.MenuDefault ?? items[0].Name;
        w.Line(":menu");
        w.Line($"menu netbootpi: {ctx.Who}");
        foreach (var p in items)
            w.Line($"item {Label(p.Name, "start")} {p.Name}{(p.Name == defaultItem ? " (default)" : "")}");
        w.Line("item --gap");
        w.Line("item shell iPXE shell");
        w.Line("item exit Exit (boot the next device)");
        w.Line($"choose{TimeoutOption(menu.MenuTimeout)} --default {Label(defaultItem, "start")} target || goto shell");
        w.Line("goto ${target}");
        w.Line(":shell");
        w.Line("shell");
        w.Line("goto menu");
        w.Line(":exit");
        AppendExitComment(w);
        w.Line("exit");
        foreach (var p in items)
        {
            w.Blank();
            w.Line($"# profile {p.Name}");
            w.Line($":{Label(p.Name, "start")}");
            AppendProfile(w, ctx, p, p.Name + "-");
        }
    }

    /// <summary>Labels of a profile inside a menu carry its name, so two items never share a label.</summary>
    private static string Label(string profile, string label) => $"{profile}-{label}";

    private static string TimeoutOption(TimeSpan? timeout) =>
        timeout is { } t ? $" --timeout {(long)t.TotalMilliseconds}" : "";

    private static void AppendKernel(LineWriter w, Context ctx, BootProfile profile, string prefix)
    {
        var args = new List<string>();
        // Under UEFI iPXE hands initrds to the kernel by name: initrd=NAME must be on the command line.
        foreach (var initrd in profile.Initrds) args.Add("initrd=" + FileName(initrd));
        if (profile.NfsRoot is { } nfsroot)
        {
            // The kernel (or the initramfs) mounts the root itself: it needs an address first, hence ip=dhcp.
            // vers=3: the export is mounted by its own path (NFSv4 would look for it under a pseudo-root the box
            // does not set up), and Debian's kernels have no NFSv2, the kernel's own default for nfsroot.
            args.Add("root=/dev/nfs");
            args.Add($"nfsroot={ctx.Request.BoxAddress}:{ctx.Binding.ExpandPlaceholders(nfsroot)},vers=3");
            args.Add("ip=dhcp");
            // A shared root is exported read-only: mounted rw, the first write would fail instead of the mount.
            args.Add(profile.NfsRootMode == NfsRootMode.SharedReadOnly ? "ro" : "rw");
            // Debian's and Ubuntu's initramfs-tools mount an NFS root only with boot=nfs; kernels without an
            // initramfs and dracut ignore it.
            args.Add("boot=nfs");
        }
        // The installer's own file, rendered for this host: its command line says where (docs/installs.md).
        if (profile.Install is { } install && ctx.InstallFolder is { } folder) args.Add(Install.InstallFiles.KernelArguments(install.Kind, folder));
        AddExtra(args, profile.Cmdline);
        if (profile.Console is { } console) args.Add("console=" + console);

        w.Line($":{prefix}boot");
        w.Line("imgfree");
        w.Line($"kernel {ArtifactUrl(ctx, profile, profile.Kernel!)} {string.Join(' ', args)} || goto {prefix}failed");
        foreach (var initrd in profile.Initrds)
            w.Line($"initrd {ArtifactUrl(ctx, profile, initrd)} || goto {prefix}failed");
        w.Line($"boot || goto {prefix}failed");
        AppendFailed(w, prefix, $"{prefix}boot");
    }

    /// <summary>
    /// Site paths are served from the data directory; URLs through the box's cache of them; <c>{nfsroot}/PATH</c>
    /// from inside this machine's own root.
    /// </summary>
    private static string ArtifactUrl(Context ctx, BootProfile profile, string artifact)
    {
        if (Upstream.UpstreamArtifacts.IsUrl(artifact))
            return $"{BootUrls.Upstream(ctx.Request.BoxUrl, profile.Name)}/{Uri.EscapeDataString(Upstream.UpstreamArtifacts.FileName(artifact))}";
        if (NfsRootArtifact.InRoot(artifact) is { } inRoot)
            return BootUrls.NfsRootFile(ctx.Request.BoxUrl, profile.Name, ctx.Binding.Mac, inRoot);
        return BootUrls.File(ctx.Request.BoxUrl, artifact);
    }

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

    /// <summary>
    /// An image of the catalog as a drive iPXE reads over HTTP by ranges (an installer ISO, a disk image).
    /// --no-describe: no iBFT/ACPI description of the drive, which only iSCSI and AoE targets have.
    /// </summary>
    private static void AppendSanboot(LineWriter w, Context ctx, BootProfile profile, string prefix)
    {
        w.Line($"echo netbootpi: {ctx.Who} boots image {profile.Image} from the box");
        w.Line($":{prefix}boot");
        w.Line($"sanboot --no-describe {BootUrls.Image(ctx.Request.BoxUrl, profile.Image!)} || goto {prefix}failed");
        AppendFailed(w, prefix, $"{prefix}boot");
    }

    private static void AppendFailed(LineWriter w, string prefix, string retryLabel)
    {
        w.Line($":{prefix}failed");
        w.Line($"echo netbootpi: download failed, retrying in {RetrySeconds} s (Ctrl-C for the iPXE shell)");
        w.Line($"sleep {RetrySeconds} && goto {retryLabel} ||");
        w.Line("shell");
        w.Line($"goto {retryLabel}");
    }
}
