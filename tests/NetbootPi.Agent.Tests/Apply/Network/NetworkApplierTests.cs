using NetbootPi.Agent.Apply;
using NetbootPi.Agent.Apply.Network;
using NetbootPi.Agent.Os.DBus;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tests.Os.DBus;
using NetbootPi.Agent.Tests.Site;

namespace NetbootPi.Agent.Tests.Apply.Network;

/// <summary>
/// <see cref="NetworkApplier"/> with the networkd backend against a real systemd-networkd (on a private bus, in a
/// namespace: <see cref="NetworkdFixture"/>) and the real nft in that namespace. The machine's own
/// /etc/systemd/network and ruleset are never touched: the files go to the fixture's folder and a temp file.
/// </summary>
public sealed class NetworkApplierTests(NetworkdFixture networkd) : IClassFixture<NetworkdFixture>, IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly string _nftFolder = Directory.CreateTempSubdirectory("netbootpi-nft-").FullName;

    public void Dispose() => Directory.Delete(_nftFolder, recursive: true);

    internal static SiteInventory Site(string link, string address, string extra = "", string backend = "networkd")
    {
        var result = SiteText.Load($$"""
            site: { name: t }
            server: { network_backend: {{backend}} }
            networks:
              mgmt: { role: management, interface: {{link}}, address: {{address}} }
            {{extra}}
            profiles:
              p: { local: true }
            defaults: { profile: p }
            """);
        Assert.Empty(result.Errors);
        return result.Inventory!;
    }

    private (NetworkApplier Applier, NamespacedTools Tools) Applier(string? bus = null)
    {
        networkd.RequireBus();
        // networkd's own file for the link sorts before ours and would win: this test's files decide.
        File.Delete(Path.Combine(networkd.NetworkFolder, "10-link.network"));
        var tools = new NamespacedTools(networkd.Namespace);
        var options = new NetworkApplierOptions
        {
            NetworkdDirectory = networkd.NetworkFolder,
            NetctlDirectory = Path.Combine(_nftFolder, "netctl"),
            NftablesFile = Path.Combine(_nftFolder, "netbootpi.nft"),
        };
        return (new NetworkApplier(options, AtomicFiles.Local, tools, systemd: null, new NetworkdOnBus(bus ?? networkd.BusAddress!, TimeProvider.System)), tools);
    }

    private Task<string> Addresses() => networkd.InNamespaceAsync("ip", "-4", "-o", "addr", "show", "dev", networkd.Link);

    [Fact]
    public async Task Applies_the_file_reloads_networkd_loads_the_table_and_then_has_nothing_to_do()
    {
        var (applier, _) = Applier();
        var admins = Path.Combine(networkd.NetworkFolder, "40-admin.network");
        await File.WriteAllTextAsync(admins, "[Match]\nName=nothing-here\n", Ct);
        await networkd.InNamespaceAsync("nft", "add", "table", "inet", "theirs");
        try
        {
            var wanted = NetworkWanted.From(Site(networkd.Link, "10.77.5.1/24"));
            var plan = await applier.PlanAsync(wanted, Ct);
            var name = $"50-netbootpi-{networkd.Link}.network";
            Assert.Equal([Path.Combine(networkd.NetworkFolder, name), Path.Combine(_nftFolder, "netbootpi.nft")], plan.Files.Select(f => f.Path));
            Assert.Equal(["run nft -c -f -", "reload systemd-networkd (org.freedesktop.network1 Reload)", $"run nft -f {_nftFolder}/netbootpi.nft"],
                plan.Steps.Select(s => s.ToString()));
            var text = plan.Render();
            Assert.Contains($"+++ {Path.Combine(networkd.NetworkFolder, name)}\n", text);
            Assert.Contains("+Address=10.77.5.1/24\n", text);

            await applier.ExecuteAsync(plan, Ct);
            await WaitUntilAsync(async () => (await Addresses()).Contains("10.77.5.1/24"));
            Assert.Contains("table inet netbootpi", await networkd.InNamespaceAsync("nft", "list", "tables"));
            Assert.Contains("table inet theirs", await networkd.InNamespaceAsync("nft", "list", "tables"));

            var again = await applier.PlanAsync(wanted, Ct);
            Assert.True(again.IsEmpty, again.Render());
            Assert.Contains("# nftables: table inet netbootpi is loaded", again.Render());

            // Going back to nothing of ours: our file and table go; the administrator's file and table stay.
            var nothing = await applier.PlanAsync(NetworkWanted.Nothing, Ct);
            Assert.Equal(["reload systemd-networkd (org.freedesktop.network1 Reload)", "run nft delete table inet netbootpi"], nothing.Steps.Select(s => s.ToString()));
            await applier.ExecuteAsync(nothing, Ct);
            Assert.False(File.Exists(Path.Combine(networkd.NetworkFolder, name)));
            Assert.True(File.Exists(admins));
            var tables = await networkd.InNamespaceAsync("nft", "list", "tables");
            Assert.DoesNotContain("netbootpi", tables);
            Assert.Contains("table inet theirs", tables);
        }
        finally
        {
            File.Delete(admins);
            await networkd.InNamespaceAsync("nft", "flush", "ruleset");
        }
    }

    [Fact]
    public async Task A_netdev_of_ours_that_goes_has_its_link_deleted_which_networkd_does_not_do()
    {
        var (applier, _) = Applier();
        var netdev = Path.Combine(networkd.NetworkFolder, "50-netbootpi-nbpv0.netdev");
        // VLANs need 8021q, which this machine's kernel lacks (the kernel lab tests them): a veth netdev goes the same way.
        await File.WriteAllTextAsync(netdev, "[NetDev]\nName=nbpv0\nKind=veth\n\n[Peer]\nName=nbpv1\n", Ct);
        try
        {
            await new NetworkdOnBus(networkd.BusAddress!, TimeProvider.System).ReloadAsync(Ct);
            await WaitUntilAsync(async () => await LinkExists("nbpv0"));
            var wanted = NetworkWanted.From(Site(networkd.Link, "10.77.6.1/24"));
            var plan = await applier.PlanAsync(wanted, Ct);
            Assert.Contains(plan.Steps, s => s.Action == PlanAction.DeleteLink && s.Target == "nbpv0");
            Assert.Contains(plan.Files, f => f.Path == netdev && f.IsRemoval);
            await applier.ExecuteAsync(plan, Ct);
            Assert.False(await LinkExists("nbpv0"));
            Assert.False(File.Exists(netdev));
            await WaitUntilAsync(async () => (await Addresses()).Contains("10.77.6.1/24"));
        }
        finally
        {
            File.Delete(netdev);
            await networkd.InNamespaceAsync("nft", "flush", "ruleset");
        }
    }

    [Fact]
    public async Task A_ruleset_nft_rejects_changes_nothing()
    {
        var (applier, tools) = Applier();
        var wanted = NetworkWanted.From(Site(networkd.Link, "10.77.7.1/24")) with { Nftables = "table inet netbootpi {\n\tchain input { bogus }\n}\n" };
        var before = Directory.GetFiles(networkd.NetworkFolder).Order().ToList();
        var plan = await applier.PlanAsync(wanted, Ct);
        var e = await Assert.ThrowsAsync<ApplyException>(() => applier.ExecuteAsync(plan, Ct));
        Assert.StartsWith("run nft -c -f - failed: nft -c -f - exited with 1: ", e.Message);
        Assert.Equal(before, Directory.GetFiles(networkd.NetworkFolder).Order().ToList());
        Assert.False(File.Exists(Path.Combine(_nftFolder, "netbootpi.nft")));
        Assert.DoesNotContain(tools.Calls, c => c.Arguments.SequenceEqual(["-f", Path.Combine(_nftFolder, "netbootpi.nft")]));
    }

    [Fact]
    public async Task A_failed_reload_puts_the_files_back()
    {
        var (applier, _) = Applier(bus: $"unix:path={_nftFolder}/no-bus-here");
        var before = Directory.GetFiles(networkd.NetworkFolder).Order().Select(File.ReadAllText).ToList();
        var plan = await applier.PlanAsync(NetworkWanted.From(Site(networkd.Link, "10.77.8.1/24")), Ct);
        var e = await Assert.ThrowsAsync<ApplyException>(() => applier.ExecuteAsync(plan, Ct));
        Assert.StartsWith("reload systemd-networkd (org.freedesktop.network1 Reload) failed: systemd-networkd did not answer Reload on unix:path=", e.Message);
        Assert.Equal(before, Directory.GetFiles(networkd.NetworkFolder).Order().Select(File.ReadAllText).ToList());
        Assert.False(File.Exists(Path.Combine(_nftFolder, "netbootpi.nft")));
    }

    [Fact]
    public async Task Backend_none_plans_nothing_whatever_is_there()
    {
        var (applier, _) = Applier();
        await File.WriteAllTextAsync(Path.Combine(networkd.NetworkFolder, "50-netbootpi-old.network"), "[Match]\nName=old\n", Ct);
        try
        {
            var plan = await applier.PlanAsync(NetworkWanted.From(Site(networkd.Link, "10.77.9.1/24", backend: "none")), Ct);
            Assert.True(plan.IsEmpty);
        }
        finally
        {
            File.Delete(Path.Combine(networkd.NetworkFolder, "50-netbootpi-old.network"));
        }
    }

    private async Task<bool> LinkExists(string name) =>
        (await networkd.InNamespaceAsync("ip", "-o", "link", "show")).Contains($" {name}@", StringComparison.Ordinal)
        || (await networkd.InNamespaceAsync("ip", "-o", "link", "show")).Contains($" {name}:", StringComparison.Ordinal);

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        // networkd works on its own time: poll its effect, within a bound.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("networkd did not get there within 20 s");
            await Task.Delay(100, Ct);
        }
    }
}
