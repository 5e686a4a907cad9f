using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Render.Install;

// Anaconda's kickstart (pykickstart's reference for Fedora and RHEL 8+). Not validated here by ksvalidator, which
// Debian does not ship: golden files only (docs/installs.md).
public static partial class InstallFiles
{
    private static string Kickstart(Context c)
    {
        var w = new LineWriter();
        var i = c.Install;
        // Anaconda names disks without /dev/ (sda, nvme0n1, disk/by-id/NAME).
        var disk = i.Disk!["/dev/".Length..];
        w.Line(c.Header("#"));
        w.Line("text");
        w.Line("lang en_US.UTF-8");
        w.Line("keyboard us");
        w.Line($"timezone {i.TimeZone} --utc");
        var dns = c.Dns.IsEmpty ? "" : $" --nameserver={string.Join(',', c.Dns)}";
        if (c.StaticNetwork is { } net)
        {
            var gateway = net.Dhcp.Router is { } gw ? $" --gateway={gw}" : "";
            w.Line($"network --device={c.Binding.Mac} --bootproto=static --ip={c.Binding.StaticAddress} --netmask={net.Subnet.Mask}{gateway}{dns} --hostname={c.Binding.Fqdn} --activate");
        }
        else w.Line($"network --device={c.Binding.Mac} --bootproto=dhcp --hostname={c.Binding.Fqdn} --activate");
        w.Line("rootpw --lock");
        w.Line(i.PasswordHash is { } hash
            ? $"user --name={i.User} --groups=wheel --iscrypted --password={hash}"
            : $"user --name={i.User} --groups=wheel --lock");
        foreach (var key in c.Site.Site.SshKeys) w.Line($"sshkey --username={i.User} {Quote(key)}");
        w.Line($"ignoredisk --only-use={disk}");
        w.Line("zerombr");
        w.Line($"clearpart --all --initlabel --drives={disk}");
        w.Line("autopart");
        w.Line($"bootloader --boot-drive={disk}");
        w.Line("reboot");
        w.Blank();
        w.Line("%packages");
        w.Line("openssh-server");
        w.Line("curl");
        foreach (var p in i.Packages) w.Line(p);
        w.Line("%end");
        w.Blank();
        w.Line("%post");
        w.Line($"curl -fsS -X POST {ShellQuote(c.Urls.Done)}");
        w.Line("%end");
        AppendTemplate(w, c.Template);
        return w.ToString();
    }
}
