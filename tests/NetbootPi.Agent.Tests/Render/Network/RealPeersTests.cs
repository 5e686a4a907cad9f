using System.Diagnostics;
using System.Text;
using NetbootPi.Agent.Render.Network;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tests.Support;
using NetbootPi.Tests.Shared;

namespace NetbootPi.Agent.Tests.Render.Network;

/// <summary>
/// What the renderers write, read by the programs that will read it on the box: nft checks and loads the table
/// (in a namespace of the test's own), systemd-networkd 252 reads the files (in a namespace and mount namespace of
/// its own, on no bus), bash sources the netctl profiles. Nothing here touches the machine's own network.
/// </summary>
public class RealPeersTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(NetworkSites.Names), MemberType = typeof(NetworkSites))]
    public async Task Nft_accepts_the_table_and_loading_it_twice_replaces_it_and_leaves_other_tables(string site)
    {
        using var lab = new NetLab();
        var nft = Peers.Require("nft", "nftables");
        var ns = lab.Namespace("nft");
        var ruleset = NftablesRuleset.Render(NetworkSites.Load(site));
        var file = lab.Path("netbootpi.nft");
        await File.WriteAllTextAsync(file, ruleset, Ct);

        await Must(lab, ns, nft, "-c", "-f", file);
        await Must(lab, ns, nft, "add", "table", "inet", "theirs");
        await Must(lab, ns, nft, "add", "chain", "inet", "theirs", "input", "{ type filter hook input priority 10; policy accept; }");
        await Must(lab, ns, nft, "-f", file);   // the table did not exist
        await Must(lab, ns, nft, "-f", file);   // it did: replaced, not doubled
        var tables = await Must(lab, ns, nft, "list", "tables");
        Assert.Equal(["table inet theirs", "table inet netbootpi"], tables.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var listed = await Must(lab, ns, nft, "list", "table", "inet", "netbootpi");
        // Every rule of ours is there once: the count of accept/masquerade rules nft lists is the count we wrote.
        static int Rules(string text) => text.Split('\n').Count(l => l.TrimEnd().EndsWith(" accept", StringComparison.Ordinal) || l.TrimEnd().EndsWith(" masquerade", StringComparison.Ordinal));
        Assert.Equal(Rules(ruleset), Rules(listed));
        Assert.Equal(ruleset.Contains("masquerade", StringComparison.Ordinal), listed.Contains("chain postrouting", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(NetworkSites.Names), MemberType = typeof(NetworkSites))]
    public async Task Systemd_networkd_252_reads_every_file_without_a_complaint(string site)
    {
        const string networkd = "/lib/systemd/systemd-networkd";
        if (!File.Exists(networkd)) throw Peers.SkipOrFail($"{networkd} is missing (Debian package systemd; tools/deps.sh installs it)");
        var unshare = Peers.Require("unshare", "util-linux");
        using var lab = new NetLab();
        var ns = lab.Namespace("nd");
        var folder = lab.Path("network");
        Directory.CreateDirectory(folder);
        // networkd reads its configuration as the systemd-network user.
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        var files = NetworkdFiles.Render(NetworkSites.Load(site));
        foreach (var f in files) await File.WriteAllTextAsync(Path.Combine(folder, f.Name), f.Content, Ct);

        var log = await RunNetworkdAsync(lab, ns, unshare, networkd, folder);
        // Every complaint about a file (unknown key, bad value, unknown section) starts with the file's path.
        Assert.DoesNotContain(log, l => l.Contains("/etc/systemd/network/", StringComparison.Ordinal));
        foreach (var netdev in files.Where(f => f.Name.EndsWith(".netdev", StringComparison.Ordinal)))
        {
            var name = netdev.Name[NetworkdFiles.Prefix.Length..^".netdev".Length];
            var kind = netdev.Content.Contains("Kind=wireguard\n", StringComparison.Ordinal) ? "wireguard" : "vlan";
            Assert.Contains($"{name}: loaded \"{kind}\"", log);
        }
    }

    /// <summary>The check above can fail: a setting of a later systemd (256's IPv4Forwarding=, which replaced IPForward=) is reported.</summary>
    [Fact]
    public async Task The_networkd_check_sees_a_setting_networkd_252_does_not_know()
    {
        const string networkd = "/lib/systemd/systemd-networkd";
        if (!File.Exists(networkd)) throw Peers.SkipOrFail($"{networkd} is missing (Debian package systemd; tools/deps.sh installs it)");
        var unshare = Peers.Require("unshare", "util-linux");
        using var lab = new NetLab();
        var ns = lab.Namespace("nd");
        var folder = lab.Path("network");
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        await File.WriteAllTextAsync(Path.Combine(folder, "50-netbootpi-x.network"), "[Match]\nName=x\n\n[Network]\nAddress=10.0.0.1/24\nIPv4Forwarding=yes\n", Ct);
        var log = await RunNetworkdAsync(lab, ns, unshare, networkd, folder);
        Assert.Contains("/etc/systemd/network/50-netbootpi-x.network:6: Unknown key 'IPv4Forwarding' in section [Network], ignoring.", log);
    }

    /// <summary>
    /// networkd with <paramref name="folder"/> as its /etc/systemd/network, run until it has read its files and
    /// enumerated the (namespace's) links; its log lines. /run/systemd is a tmpfs and /sys read-only in its mount
    /// namespace (as NetworkdFixture does it), and its bus address names nothing, so it talks to no bus.
    /// </summary>
    private static async Task<List<string>> RunNetworkdAsync(NetLab lab, string ns, string unshare, string networkd, string folder)
    {
        var start = new ProcessStartInfo(lab.Ip, ["netns", "exec", ns, unshare, "-m", "--propagation", "private", "sh", "-c",
            "mount -t tmpfs tmpfs /run/systemd && mkdir -p /run/systemd/netif/links /run/systemd/netif/leases /run/systemd/netif/lldp" +
            " && chown -R systemd-network:systemd-network /run/systemd/netif" +
            $" && mount --bind {folder} /etc/systemd/network" +
            // The WireGuard netdev's key files (the box's and a peer's preshared key), where the files name them,
            // readable by networkd's user as the agent makes them; in a tmpfs of this mount namespace alone.
            " && mount -t tmpfs tmpfs /var/lib && mkdir -m 0750 -p /var/lib/netbootpi/wireguard" +
            " && for k in wg0.key branch.psk; do head -c 32 /dev/urandom | base64 > /var/lib/netbootpi/wireguard/$k; done" +
            " && chgrp -R systemd-network /var/lib/netbootpi/wireguard && chmod 0640 /var/lib/netbootpi/wireguard/*" +
            " && umount /sys && mount -t sysfs -o ro sysfs /sys" +
            $" && exec {networkd}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["SYSTEMD_LOG_TARGET"] = "console";
        start.Environment["SYSTEMD_LOG_LEVEL"] = "debug";
        // In its own tmpfs, where nothing listens and it can watch for a bus that never comes.
        start.Environment["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=/run/systemd/netbootpi-test-no-bus";
        var lines = new List<string>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = Process.Start(start)!;
        void Line(string? line)
        {
            if (line is null) return;
            lock (lines) lines.Add(line);
            if (line == "Enumeration completed") done.TrySetResult();
        }
        process.OutputDataReceived += (_, e) => Line(e.Data);
        process.ErrorDataReceived += (_, e) => Line(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var exited = process.WaitForExitAsync(Ct);
            var first = await Task.WhenAny(done.Task, exited, Task.Delay(TimeSpan.FromSeconds(30), Ct));
            lock (lines)
            {
                if (first != done.Task)
                    Assert.Fail($"systemd-networkd {(first == exited ? $"exited with {process.ExitCode}" : "did not enumerate its links within 30 s")}:\n{string.Join('\n', lines)}");
                return [.. lines];
            }
        }
        finally
        {
            if (!process.HasExited) process.Kill();
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    [Theory]
    [MemberData(nameof(NetworkSites.Names), MemberType = typeof(NetworkSites))]
    public async Task Bash_reads_each_netctl_profile_as_meant(string site)
    {
        var bash = Peers.Require("bash", "bash");
        var escape = Peers.Require("systemd-escape", "systemd");
        var s = NetworkSites.Load(site);
        var dir = Directory.CreateTempSubdirectory("netbootpi-netctl-").FullName;
        try
        {
            foreach (var profile in NetctlProfiles.Render(s))
            {
                var file = Path.Combine(dir, profile.Name);
                await File.WriteAllTextAsync(file, profile.Content, Ct);
                // As netctl loads a profile: bash -n (verify_profile), then source it (load_profile).
                var (syntax, _, syntaxErr) = await Tool.RunAsync(bash, ["-n", file], Ct);
                Assert.True(syntax == 0, $"{profile.Name}: {syntaxErr}");
                var (code, stdout, stderr) = await Tool.RunAsync(bash, ["-c", """
                    set -eu; source "$1"
                    printf '%s\n' "Interface=$Interface" "Connection=$Connection" "IP=$IP" "Address=${Address[*]:-}" \
                      "Gateway=${Gateway:-}" "DNS=${DNS[*]:-}" "VLANID=${VLANID:-}" "BindsToInterfaces=${BindsToInterfaces[*]:-}" \
                      "After=${After[*]:-}" "ExecUpPost=${ExecUpPost:-}"
                    """, "profile", file], Ct);
                Assert.True(code == 0 && stderr == "", $"{profile.Name}: {stderr}");
                Assert.Equal(Expected(s, profile.Name), stdout);
                var (_, unit, _) = await Tool.RunAsync(escape, ["--template=netctl@.service", profile.Name], Ct);
                Assert.Equal(unit.TrimEnd('\n'), profile.Unit);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>What netctl should find in a profile, worked out from the site rather than from the renderer.</summary>
    private static string Expected(SiteInventory site, string profile)
    {
        var iface = profile[NetctlProfiles.Prefix.Length..];
        if (site.WireGuard is { } wg && wg.Interface == iface)
        {
            // Port, the key file in the state directory, each enabled peer's key, tunnel address and networks.
            var set = $"wg set {iface} listen-port {wg.ListenPort} private-key {site.Server.StateDirectory}/wireguard/{iface}.key"
                + string.Concat(wg.Peers.Where(p => p.Enabled).Select(p =>
                    $" peer {p.PublicKey} allowed-ips {string.Join(',', new[] { $"{p.Address}/32" }.Concat(p.AllowedIps.Select(a => a.ToString())))}"
                    + (p.PresharedKeyFile is null ? "" : $" preshared-key {p.PresharedKeyFile}")
                    + $" persistent-keepalive {(p.Keepalive is { } k ? k.ToString(System.Globalization.CultureInfo.InvariantCulture) : "off")}"));
            return $"Interface={iface}\nConnection=wireguard\nIP=static\nAddress={wg.Address}\nGateway=\nDNS=\nVLANID=\nBindsToInterfaces=\nAfter=\n"
                + $"ExecUpPost={set}{(wg.Reach.Length > 0 ? "; sysctl -q -w net.ipv4.ip_forward=1" : "")}\n";
        }
        var network = site.Networks.SingleOrDefault(n => n.Interface == iface);
        var routes = network is not null && (site.Firewall.Forward.Any(f => f.From == network.Name || f.To == network.Name)
            || site.Firewall.Masquerade.Contains(network.Name) || (network.Role == NetworkRole.Wan && !site.Firewall.Masquerade.IsEmpty));
        var b = new StringBuilder();
        b.Append($"Interface={iface}\n");
        b.Append($"Connection={(network?.Vlan is null ? "ethernet" : "vlan")}\n");
        b.Append($"IP={(network is null ? "no" : "static")}\n");
        b.Append($"Address={network?.Address}\n");
        b.Append($"Gateway={network?.Gateway}\n");
        b.Append($"DNS={(network?.Gateway is null ? "" : string.Join(' ', site.Site.UpstreamDns))}\n");
        b.Append($"VLANID={network?.Vlan}\n");
        b.Append($"BindsToInterfaces={(network?.Vlan is null ? "" : network.ParentInterface)}\n");
        b.Append($"After={(network?.Vlan is null ? "" : NetctlProfiles.Prefix + network.ParentInterface)}\n");
        b.Append($"ExecUpPost={(routes ? "sysctl -q -w net.ipv4.ip_forward=1" : "")}\n");
        return b.ToString();
    }

    private static async Task<string> Must(NetLab lab, string ns, string file, params string[] args)
    {
        var (code, stdout, stderr) = await lab.RunAsync(ns, file, args, Ct);
        Assert.True(code == 0, $"{file} {string.Join(' ', args)} exited with {code}: {stderr}");
        return stdout;
    }
}
