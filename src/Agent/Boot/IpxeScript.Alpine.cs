using System.Globalization;
using System.Text;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Boot;

public static partial class IpxeScript
{
    private const string DefaultConsole = "tty0";

    /// <summary>
    /// Alpine netboot (the seed's boot script): the release's kernel, initramfs and modloop, the overlay and
    /// SSH keys from the box, and a menu to change flavor, console and command line before booting.
    /// </summary>
    private static void AppendAlpine(StringBuilder w, Context ctx, BootProfile profile, string prefix)
    {
        var alpine = profile.Alpine!;
        w.Append(CultureInfo.InvariantCulture, $"set mirror {alpine.Mirror}\n");
        w.Append(CultureInfo.InvariantCulture, $"set branch {alpine.Branch}\n");
        w.Append(CultureInfo.InvariantCulture, $"set version {alpine.Version}\n");
        w.Append(CultureInfo.InvariantCulture, $"set arch {alpine.Arch}\n");
        w.Append(CultureInfo.InvariantCulture, $"set flavor {alpine.Flavor}\n");
        w.Append(CultureInfo.InvariantCulture, $"set console {profile.Console ?? DefaultConsole}\n");
        var fixedArgs = FixedAlpineArgs(ctx);
        var extra = new List<string>();
        if (profile.Cmdline is { } cmdline)
            foreach (var a in cmdline.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                if (!fixedArgs.Contains(a, StringComparer.Ordinal) && !extra.Contains(a, StringComparer.Ordinal)) extra.Add(a);
        w.Append(CultureInfo.InvariantCulture, $"set cmdline {string.Join(' ', extra)}\n");
        // qemu's emulated machines: the lts kernel's drivers for real hardware are dead weight there, and the
        // console a test harness reads is the serial port.
        w.Append("iseq ${manufacturer} QEMU && set flavor virt && set console ttyS0 ||\n");

        if (profile.MenuTimeout is { } timeout)
            AppendAlpineMenu(w, profile, prefix, (long)timeout.TotalMilliseconds, ctx.Binding.Host?.Name ?? ctx.Binding.Mac.ToString());
        else
            w.Append("# no menu_timeout: boot straight away\n");

        w.Append(CultureInfo.InvariantCulture, $":{prefix}boot\n");
        // Kernel, initramfs and modloop come through the box's cache of the release
        // (MIRROR/BRANCH/releases/ARCH/netboot-VERSION), so hosts boot while the uplink is down.
        w.Append(CultureInfo.InvariantCulture, $"set base {BootUrls.Upstream(ctx.Request.BoxUrl, profile.Name)}\n");
        w.Append("imgfree\n");
        var line = new StringBuilder("kernel ${base}/vmlinuz-${flavor} initrd=initramfs-${flavor}");
        foreach (var a in fixedArgs) line.Append(' ').Append(a);
        line.Append(" ${cmdline} console=${console}");
        w.Append(CultureInfo.InvariantCulture, $"{line} || goto {prefix}failed\n");
        w.Append(CultureInfo.InvariantCulture, $"initrd ${{base}}/initramfs-${{flavor}} || goto {prefix}failed\n");
        w.Append(CultureInfo.InvariantCulture, $"boot || goto {prefix}failed\n");
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

    private static void AppendAlpineMenu(StringBuilder w, BootProfile profile, string prefix, long timeoutMs, string who)
    {
        var flavors = Upstream.UpstreamArtifacts.AlpineFlavors(profile.Alpine!);

        w.Append(CultureInfo.InvariantCulture, $"set {prefix}timeout {timeoutMs}\n");
        // Menu items align behind a two-space indent; iPXE trims plain spaces, so make them from hex.
        w.Append("set space:hex 20:20\n");
        w.Append("set space ${space:string}\n");
        w.Append(CultureInfo.InvariantCulture, $":{prefix}menu\n");
        w.Append(CultureInfo.InvariantCulture, $"menu Alpine Linux ${{version}} for {who} [ ${{arch}} ]\n");
        w.Append("item --gap Boot options\n");
        w.Append(CultureInfo.InvariantCulture, $"item {prefix}flavor ${{space}} Kernel flavor [ ${{flavor}} ]\n");
        w.Append(CultureInfo.InvariantCulture, $"item {prefix}console ${{space}} Console [ ${{console}} ]\n");
        w.Append(CultureInfo.InvariantCulture, $"item {prefix}cmdline ${{space}} Extra kernel cmdline [ ${{cmdline}} ]\n");
        w.Append("item --gap Booting\n");
        w.Append(CultureInfo.InvariantCulture, $"item {prefix}boot ${{space}} Boot with the above settings\n");
        w.Append("item --gap Utilities\n");
        w.Append(CultureInfo.InvariantCulture, $"item {prefix}shell ${{space}} iPXE shell\n");
        w.Append(CultureInfo.InvariantCulture, $"item {prefix}exit ${{space}} Exit iPXE (boot the next device)\n");
        w.Append(CultureInfo.InvariantCulture, $"item {prefix}reboot ${{space}} Reboot\n");
        w.Append(CultureInfo.InvariantCulture, $"item {prefix}poweroff ${{space}} Power off\n");
        w.Append(CultureInfo.InvariantCulture,
            $"choose --timeout ${{{prefix}timeout}} --default {prefix}boot item || goto {prefix}shell\n");
        // Back in the menu after changing a setting, nobody is racing a countdown any more.
        w.Append(CultureInfo.InvariantCulture, $"set {prefix}timeout 0\n");
        w.Append("goto ${item}\n");

        w.Append(CultureInfo.InvariantCulture, $":{prefix}flavor\n");
        w.Append("menu Kernel flavor\n");
        foreach (var f in flavors) w.Append(CultureInfo.InvariantCulture, $"item {f} {f}\n");
        w.Append("choose --default ${flavor} flavor ||\n");
        w.Append(CultureInfo.InvariantCulture, $"goto {prefix}menu\n");
        w.Append(CultureInfo.InvariantCulture, $":{prefix}console\n");
        w.Append("echo -n Console (e.g. tty0, ttyS0,115200):${space} && read console ||\n");
        w.Append(CultureInfo.InvariantCulture, $"goto {prefix}menu\n");
        w.Append(CultureInfo.InvariantCulture, $":{prefix}cmdline\n");
        w.Append("echo -n Extra kernel cmdline:${space} && read cmdline ||\n");
        w.Append(CultureInfo.InvariantCulture, $"goto {prefix}menu\n");
        w.Append(CultureInfo.InvariantCulture, $":{prefix}shell\n");
        w.Append("shell\n");
        w.Append(CultureInfo.InvariantCulture, $"goto {prefix}menu\n");
        w.Append(CultureInfo.InvariantCulture, $":{prefix}exit\n");
        AppendExitComment(w);
        w.Append("exit\n");
        w.Append(CultureInfo.InvariantCulture, $":{prefix}reboot\n");
        w.Append("reboot\n");
        w.Append(CultureInfo.InvariantCulture, $":{prefix}poweroff\n");
        w.Append("poweroff\n");
    }
}
