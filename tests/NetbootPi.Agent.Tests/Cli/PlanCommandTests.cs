using NetbootPi.Agent.Cli;
using NetbootPi.Agent.Tests.Site;

namespace NetbootPi.Agent.Tests.Cli;

/// <summary><c>netbootpi plan</c> on the example site, pointed at empty folders: every file as an addition, the steps, and nothing written.</summary>
public class PlanCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-plan-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Prints_the_files_as_a_patch_and_the_steps_and_writes_nothing()
    {
        var networkd = Directory.CreateDirectory(Path.Combine(_dir, "network")).FullName;
        var netctl = Directory.CreateDirectory(Path.Combine(_dir, "netctl")).FullName;
        var nft = Path.Combine(_dir, "netbootpi.nft");
        await File.WriteAllTextAsync(Path.Combine(networkd, "10-admin.network"), "[Match]\nName=eth9\n", TestContext.Current.CancellationToken);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CommandLine.RunAsync(["plan", "--config", Path.Combine(SiteText.RepoRoot, "examples", "netsoc.yaml"),
            "--networkd-dir", networkd, "--netctl-dir", netctl, "--nft-file", nft], stdout, stderr, TestContext.Current.CancellationToken);
        Assert.True(code == 0, stderr.ToString());
        var text = stdout.ToString();
        Assert.StartsWith("# then: run nft -c -f -\n--- /dev/null\n+++ " + networkd + "/50-netbootpi-eth0.420.netdev\n@@ -0,0 +1,8 @@\n", text);
        foreach (var name in new[] { "50-netbootpi-eth0.network", "50-netbootpi-eth0.69.netdev", "50-netbootpi-eth0.69.network", "50-netbootpi-eth0.420.network" })
            Assert.Contains($"+++ {networkd}/{name}\n", text);
        Assert.Contains($"+++ {nft}\n", text);
        Assert.Contains("+\t\toifname \"eth0.420\" ip saddr 10.69.0.0/16 masquerade\n", text);
        Assert.EndsWith($"# then: reload systemd-networkd (org.freedesktop.network1 Reload)\n# then: run nft -f {nft}\n", text);
        Assert.DoesNotContain("10-admin", text);
        // Nothing was written: the administrator's file alone, no nft file.
        Assert.Equal(["10-admin.network"], Directory.GetFiles(networkd).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFiles(netctl));
        Assert.False(File.Exists(nft));
    }

    [Fact]
    public async Task A_site_with_nfs_roots_adds_the_exports_file_and_what_brings_nfsd_to_it()
    {
        var site = Path.Combine(_dir, "fleet.yaml");
        await File.WriteAllTextAsync(site, Render.Nfs.NfsSites.Fleet, TestContext.Current.CancellationToken);
        var exports = Path.Combine(_dir, "exports.d", "netbootpi.exports");
        var conf = Path.Combine(_dir, "nfs.conf.d", "netbootpi.conf");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CommandLine.RunAsync(["plan", "--config", site, "--networkd-dir", Path.Combine(_dir, "network"),
            "--netctl-dir", Path.Combine(_dir, "netctl"), "--nft-file", Path.Combine(_dir, "n.nft"), "--exports-file", exports, "--nfs-conf-file", conf],
            stdout, stderr, TestContext.Current.CancellationToken);
        Assert.True(code == 0, stderr.ToString());
        var text = stdout.ToString();
        Assert.Contains($"--- /dev/null\n+++ {exports}\n", text);
        Assert.Contains("+/srv/nfsroots/84-8f-69-e0-d4-0f 10.69.1.1(rw,sync,no_subtree_check,no_root_squash,fsid=", text);
        // mountd's fixed port, and the firewall open to the exports' clients on it.
        Assert.Contains($"--- /dev/null\n+++ {conf}\n", text);
        Assert.Contains("+port=20048\n", text);
        Assert.Contains("+\t\tiifname \"eth1\" ip saddr 10.70.0.0/24 tcp dport { 111, 2049, 20048 } accept\n", text);
        // This machine has no systemd to ask: nfs-server.service is planned to start (which runs exportfs itself).
        Assert.EndsWith("# then: start nfs-server.service\n", text);
        Assert.False(File.Exists(exports));
        Assert.False(File.Exists(conf));
    }
}
