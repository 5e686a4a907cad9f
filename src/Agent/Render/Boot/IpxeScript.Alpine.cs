using System.Text;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Render.Boot;

public static partial class IpxeScript
{
    private const string DefaultConsole = "tty0";

    /// <summary>
    /// Alpine netboot (the seed's boot script): the release's kernel, initramfs and modloop, the overlay and
    /// SSH keys from the box, and a menu to change flavor, console and command line before booting.
    /// </summary>
    private static void AppendAlpine(LineWriter w, Context ctx, BootProfile profile, string prefix)
    {
        var alpine = profile.Alpine!;
        w.Line($"set mirror {alpine.Mirror}");
        w.Line($"set branch {alpine.Branch}");
        w.Line($"set version {alpine.Version}");
        w.Line($"set arch {alpine.Arch}");
        w.Line($"set flavor {alpine.Flavor}");
        w.Line($"set console {profile.Console ?? DefaultConsole}");
        var fixedArgs = FixedAlpineArgs(ctx);
        var extra = new List<string>();
        if (profile.Cmdline is { } cmdline)
            foreach (var a in cmdline.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                if (!fixedArgs.Contains(a, StringComparer.Ordinal) && !extra.Contains(a, StringComparer.Ordinal)) extra.Add(a);
        w.Line($"set cmdline {string.Join(' ', extra)}");
        // qemu's emulated machines: the lts kernel's drivers for real hardware are dead weight there, and the
        // console a test harness reads is the serial port.
        w.Line("iseq ${manufacturer} QEMU && set flavor virt && set console ttyS0 ||");

        if (profile.MenuTimeout is { } timeout)
            AppendAlpineMenu(w, profile, prefix, (long)timeout.TotalMilliseconds, ctx.Binding.Host?.Name ?? ctx.Binding.Mac.ToString());
        else
            w.Line("# no menu_timeout: boot straight away");

        w.Line($":{prefix}boot");
        // Kernel, initramfs and modloop come through the box's cache of the release
        // (MIRROR/BRANCH/releases/ARCH/netboot-VERSION), so hosts boot while the uplink is down.
        w.Line($"set base {BootUrls.Upstream(ctx.Request.BoxUrl, profile.Name)}");
        w.Line("imgfree");
        var line = new StringBuilder("kernel ${base}/vmlinuz-${flavor} initrd=initramfs-${flavor}");
        foreach (var a in fixedArgs) line.Append(' ').Append(a);
        line.Append(" ${cmdline} console=${console}");
        w.Line($"{line} || goto {prefix}failed");
        w.Line($"initrd ${{base}}/initramfs-${{flavor}} || goto {prefix}failed");
        w.Line($"boot || goto {prefix}failed");
        AppendFailed(w, prefix, $"{prefix}boot");
    }

    /// <summary>The arguments every Alpine boot gets, in the seed's order; the profile's cmdline follows them.</summary>
    private static List<string> FixedAlpineArgs(Context ctx)
    {
        var box = ctx.Request.BoxUrl;
        var args = new List<string>
        {
            "modules=loop,squashfs",
            // BOOTIF tells Alpine's init which NIC booted, in pxelinux's 01-aa-bb-.. form.
            "BOOTIF=01-${net0/mac:hexhyp}",
            "ip=dhcp",
            "modloop=${base}/modloop-${flavor}",
            "alpine_repo=${mirror}/${branch}/main",
            // {MAC} stays literal: Alpine's init replaces it with the booting NIC's MAC (colon form).
            $"apkovl={BootUrls.OverlayTemplate(box)}",
        };
        if (!ctx.Site.Site.SshKeys.IsEmpty) args.Add($"ssh_key={BootUrls.SshKeys(box)}");
        return args;
    }

    private static void AppendAlpineMenu(LineWriter w, BootProfile profile, string prefix, long timeoutMs, string who)
    {
        var flavors = Upstream.UpstreamArtifacts.AlpineFlavors(profile.Alpine!);

        w.Line($"set {prefix}timeout {timeoutMs}");
        // Menu items align behind a two-space indent; iPXE trims plain spaces, so make them from hex.
        w.Line("set space:hex 20:20");
        w.Line("set space ${space:string}");
        w.Line($":{prefix}menu");
        w.Line($"menu Alpine Linux ${{version}} for {who} [ ${{arch}} ]");
        w.Line("item --gap Boot options");
        w.Line($"item {prefix}flavor ${{space}} Kernel flavor [ ${{flavor}} ]");
        w.Line($"item {prefix}console ${{space}} Console [ ${{console}} ]");
        w.Line($"item {prefix}cmdline ${{space}} Extra kernel cmdline [ ${{cmdline}} ]");
        w.Line("item --gap Booting");
        w.Line($"item {prefix}boot ${{space}} Boot with the above settings");
        w.Line("item --gap Utilities");
        w.Line($"item {prefix}shell ${{space}} iPXE shell");
        w.Line($"item {prefix}exit ${{space}} Exit iPXE (boot the next device)");
        w.Line($"item {prefix}reboot ${{space}} Reboot");
        w.Line($"item {prefix}poweroff ${{space}} Power off");
        w.Line($"choose --timeout ${{{prefix}timeout}} --default {prefix}boot item || goto {prefix}shell");
        // Back in the menu after changing a setting, nobody is racing a countdown any more.
        w.Line($"set {prefix}timeout 0");
        w.Line("goto ${item}");

        w.Line($":{prefix}flavor");
        w.Line("menu Kernel flavor");
        foreach (var f in flavors) w.Line($"item {f} {f}");
        w.Line("choose --default ${flavor} flavor ||");
        w.Line($"goto {prefix}menu");
        w.Line($":{prefix}console");
        w.Line("echo -n Console (e.g. tty0, ttyS0,115200):${space} && read console ||");
        w.Line($"goto {prefix}menu");
        w.Line($":{prefix}cmdline");
        w.Line("echo -n Extra kernel cmdline:${space} && read cmdline ||");
        w.Line($"goto {prefix}menu");
        w.Line($":{prefix}shell");
        w.Line("shell");
        w.Line($"goto {prefix}menu");
        w.Line($":{prefix}exit");
        AppendExitComment(w);
        w.Line("exit");
        w.Line($":{prefix}reboot");
        w.Line("reboot");
        w.Line($":{prefix}poweroff");
        w.Line("poweroff");
    }
}
