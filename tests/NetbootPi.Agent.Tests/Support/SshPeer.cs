using System.Diagnostics;
using System.Globalization;

namespace NetbootPi.Agent.Tests.Support;

/// <summary>
/// OpenSSH's sshd in a namespace of a <see cref="NetLab"/>, its own process started with <c>ip netns exec</c>,
/// listening only on <paramref name="address"/> there: public keys only, each user's keys in
/// <c>LAB/authorized_keys-USER</c>, SFTP through OpenSSH's sftp-server, git over ssh through the user's shell. Its
/// mount namespace (ip netns exec makes one) has a tmpfs of its own on /run (sshd's privilege separation folder,
/// nothing on the machine's /run) and a small tmpfs on <see cref="Full"/> for a destination whose disk fills up,
/// seen from outside through /proc/PID/root. Killed with the lab.
/// </summary>
internal sealed class SshPeer
{
    private readonly Process _process;

    public SshPeer(NetLab lab, string ns, string address, int fullKiB)
    {
        var sshd = Peers.Require("/usr/sbin/sshd", "openssh-server");
        Peers.Require("/usr/lib/openssh/sftp-server", "openssh-sftp-server");
        var keygen = Peers.Require("ssh-keygen", "openssh-client");
        Address = address;
        var hostKey = lab.Path("ssh_host_ed25519_key");
        NetLab.Must(keygen, "-q", "-t", "ed25519", "-N", "", "-C", "lab-host", "-f", hostKey);
        HostKey = string.Join(' ', File.ReadAllText(hostKey + ".pub").Split(' ')[..2]);
        Full = lab.Path("full");
        Directory.CreateDirectory(Full);
        var config = lab.Path("sshd_config");
        File.WriteAllText(config, $"""
            ListenAddress {address}
            Port 22
            HostKey {hostKey}
            AuthorizedKeysFile {lab.Path("authorized_keys-%u")}
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            StrictModes no
            PidFile none
            PrintMotd no
            PrintLastLog no
            Subsystem sftp /usr/lib/openssh/sftp-server

            """);
        _process = lab.Start(ns, "/bin/sh", "-c",
            $"mount -t tmpfs -o size=1m,mode=755 tmpfs /run && mkdir -m 755 /run/sshd "
            + $"&& mount -t tmpfs -o size={fullKiB.ToString(CultureInfo.InvariantCulture)}k tmpfs '{Full}' && exec {sshd} -D -e -f '{config}'");
        // Listening once /proc/PID/net/tcp (its namespace's sockets) has port 22 in state LISTEN (0A).
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!File.ReadAllLines($"/proc/{_process.Id}/net/tcp").Skip(1).Any(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var local, _, "0A", ..] && local.EndsWith(":0016", StringComparison.Ordinal)))
        {
            if (_process.HasExited) throw new Xunit.Sdk.XunitException($"sshd exited ({_process.ExitCode}) before listening");
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException("sshd did not listen within 10 s");
            Thread.Sleep(20);
        }
    }

    public string Address { get; }

    /// <summary>The host key as a site's backup.host_key takes it: TYPE BASE64.</summary>
    public string HostKey { get; }

    /// <summary>A folder on sshd's small tmpfs (its path as sshd sees it).</summary>
    public string Full { get; }

    /// <summary>A path as sshd sees it (its own mounts), from outside.</summary>
    public string Inside(string path) => $"/proc/{_process.Id}/root{path}";

    public static void Authorize(NetLab lab, string user, string publicKey) => File.WriteAllText(lab.Path("authorized_keys-" + user), publicKey.Trim() + "\n");
}
