using System.Net;
using System.Net.Sockets;
using NetbootPi.Agent.Apply;
using NetbootPi.Agent.Apply.Network;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Os.Tools;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Tests.Apply.Network;

/// <summary>
/// The network applier's WireGuard steps on this machine (which has no WireGuard in its kernel, so no tunnel
/// exists): a tunnel to be created first checks its port against the kernel's own table, then makes its key; the
/// running-tunnel steps (<c>wg set</c>) are proved in the kernel lab.
/// </summary>
public sealed class WireGuardApplyTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly string _dir = Directory.CreateTempSubdirectory("nbp-wg-apply-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (NetworkApplier, NetworkWanted) Setup(int port)
    {
        var site = SiteFile.Parse(Path.Combine(_dir, "site.yaml"), $$"""
            site: { name: t }
            server: { state_dir: {{_dir}}/state, data_dir: {{_dir}}/data }
            networks:
              mgmt: { role: management, interface: nbp-none0, address: 192.168.70.1/24 }
            profiles:
              p: { local: true }
            defaults: { profile: p }
            wireguard: { interface: nbp-wgtest0, address: 10.99.0.1/24, listen_port: {{port}} }
            """);
        Assert.Empty(site.Errors);
        var options = new NetworkApplierOptions
        {
            NetworkdDirectory = Directory.CreateDirectory(Path.Combine(_dir, "network")).FullName,
            NetctlDirectory = Path.Combine(_dir, "netctl"),
            NftablesFile = Path.Combine(_dir, "netbootpi.nft"),
        };
        return (new NetworkApplier(options, AtomicFiles.Local, new ToolRunner(TimeProvider.System), systemd: null, networkd: null), NetworkWanted.From(site.Inventory!));
    }

    [Fact]
    public async Task A_port_another_program_holds_fails_the_apply_before_anything_changes()
    {
        using var holder = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)holder.Client.LocalEndPoint!).Port;
        var (applier, wanted) = Setup(port);
        var plan = await applier.PlanAsync(wanted, Ct);
        var before = plan.Steps.Where(s => s.BeforeFiles).Select(s => s.ToString()).ToList();
        Assert.Equal($"check that UDP port {port} is free", before[1]);
        Assert.Equal($"make the private key {_dir}/state/wireguard/nbp-wgtest0.key", before[2]);

        var e = await Assert.ThrowsAsync<ApplyException>(() => applier.ExecuteAsync(plan, Ct));
        Assert.Equal($"UDP port {port} (wireguard.listen_port) is in use by another program: the tunnel could not take it (ss -ulpn 'sport = :{port}' shows which; choose another listen_port or stop it)", e.Message);
        Assert.False(File.Exists(Path.Combine(_dir, "state", "wireguard", "nbp-wgtest0.key")));
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "network")));
    }

    [Fact]
    public async Task A_free_port_passes_and_the_key_is_made_before_the_files()
    {
        int port;
        using (var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0))) port = ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
        var (applier, wanted) = Setup(port);
        var plan = await applier.PlanAsync(wanted, Ct);
        // Without networkd the apply stops at its reload, and the files go back; the key stays (it is the box's).
        var e = await Assert.ThrowsAsync<ApplyException>(() => applier.ExecuteAsync(plan, Ct));
        Assert.Contains("systemd-networkd", e.Message);
        var key = Path.Combine(_dir, "state", "wireguard", "nbp-wgtest0.key");
        Assert.NotNull(NetbootPi.Agent.WireGuard.WireGuardKeyFile.Load(key));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(key));
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "network")));
    }
}
