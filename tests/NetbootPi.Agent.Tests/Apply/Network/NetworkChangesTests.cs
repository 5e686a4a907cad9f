using NetbootPi.Agent.Apply.Network;
using NetbootPi.Agent.Os.DBus;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tests.Os.DBus;

namespace NetbootPi.Agent.Tests.Apply.Network;

/// <summary>
/// The confirm window and the lock-out guard (<see cref="NetworkChanges"/>) on a fake clock, carried out by the
/// real applier against a real systemd-networkd and nft in a namespace (<see cref="NetworkdFixture"/>): a change
/// not confirmed by its deadline, or left pending by an agent that stopped, ends with the confirmed network back.
/// </summary>
public sealed class NetworkChangesTests(NetworkdFixture networkd) : IClassFixture<NetworkdFixture>, IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(20);
    private readonly string _folder = Directory.CreateTempSubdirectory("netbootpi-changes-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private readonly CapturingLogger _log = new();
    private const string Lab = "nbpo0";

    public async ValueTask InitializeAsync()
    {
        networkd.RequireBus();
        File.Delete(Path.Combine(networkd.NetworkFolder, "10-link.network"));
        await networkd.InNamespaceAsync("ip", "link", "add", Lab, "type", "veth", "peer", "name", "nbpo1");
    }

    public async ValueTask DisposeAsync()
    {
        await networkd.InNamespaceAsync("ip", "link", "delete", Lab);
        await networkd.InNamespaceAsync("nft", "flush", "ruleset");
        foreach (var f in Directory.GetFiles(networkd.NetworkFolder, "50-netbootpi-*")) File.Delete(f);
        Directory.Delete(_folder, recursive: true);
    }

    private NetworkChanges Changes(TimeProvider? time = null)
    {
        var options = new NetworkApplierOptions
        {
            NetworkdDirectory = networkd.NetworkFolder,
            NetctlDirectory = Path.Combine(_folder, "netctl"),
            NftablesFile = Path.Combine(_folder, "netbootpi.nft"),
        };
        var applier = new NetworkApplier(options, AtomicFiles.Local, new NamespacedTools(networkd.Namespace), null, new NetworkdOnBus(networkd.BusAddress!, TimeProvider.System));
        return new NetworkChanges(applier, Store, time ?? _time, _log);
    }

    private ConfirmStore Store => new(Path.Combine(_folder, "state", ConfirmStore.FileName), AtomicFiles.Local);

    /// <summary>The management network on the fixture's link; a lab network on <see cref="Lab"/> at <paramref name="lab"/>.</summary>
    private NetworkWanted Wanted(string lab, string mgmt = "10.77.5.1/24", string firewall = "") =>
        NetworkWanted.From(NetworkApplierTests.Site(networkd.Link, mgmt, $"  lab: {{ role: other, interface: {Lab}, address: {lab} }}\n{firewall}"));

    private Task<string> LabAddresses() => networkd.InNamespaceAsync("ip", "-4", "-o", "addr", "show", "dev", Lab);

    private static Task WaitFor(Func<Task<bool>> condition) => NetworkApplierTests.WaitUntilAsync(condition);

    private static async Task<string> Reverted(NetworkChanges changes, Action advance)
    {
        var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        changes.Reverted += m => done.TrySetResult(m);
        advance();
        return await done.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);
    }

    /// <summary>The fake clock, its wall time set back by <see cref="Lag"/> from its timers' time (a clock stepped back).</summary>
    private sealed class LaggingWallClock(FakeTimeProvider inner) : TimeProvider
    {
        public TimeSpan Lag { get; set; }
        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() - Lag;
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            inner.CreateTimer(callback, state, dueTime, period);
    }

    [Fact]
    public async Task A_deadline_timer_that_fires_before_the_wall_clock_gets_there_still_puts_the_change_back()
    {
        var clock = new LaggingWallClock(_time);
        await using var changes = Changes(clock);
        Assert.Equal(ApplyResult.Confirmed, (await changes.StartAsync(Wanted("10.78.0.1/24"), Window, Ct)).Result);
        Assert.Equal(ApplyResult.Pending, (await changes.ApplyAsync(Wanted("10.79.0.1/24"), Window, force: false, "reload", Ct)).Result);
        await WaitFor(async () => (await LabAddresses()).Contains("10.79.0.1/24"));

        // The wall clock is stepped back 5 ms after the deadline was set: when the timer fires, the deadline is still
        // 5 ms away by the wall clock, and the change waits for them instead of staying for good.
        clock.Lag = TimeSpan.FromMilliseconds(5);
        _time.Advance(Window);
        await Task.Delay(200, Ct);
        Assert.NotNull(changes.State.Pending);
        var message = await Reverted(changes, () => _time.Advance(TimeSpan.FromMilliseconds(5)));
        Assert.Contains("was not confirmed by", message);
        await WaitFor(async () => { var a = await LabAddresses(); return a.Contains("10.78.0.1/24") && !a.Contains("10.79.0.1/24"); });
    }

    [Fact]
    public async Task A_change_not_confirmed_by_its_deadline_is_put_back_and_not_retried_on_its_own()
    {
        await using var changes = Changes();
        var first = await changes.StartAsync(Wanted("10.78.0.1/24"), Window, Ct);
        Assert.Equal(ApplyResult.Confirmed, first.Result);
        await WaitFor(async () => (await LabAddresses()).Contains("10.78.0.1/24"));

        var change = await changes.ApplyAsync(Wanted("10.79.0.1/24"), Window, force: false, "reload", Ct);
        Assert.Equal(ApplyResult.Pending, change.Result);
        Assert.Equal(_time.GetUtcNow() + Window, change.Deadline);
        Assert.NotNull(Store.Load().Pending);
        await WaitFor(async () => (await LabAddresses()).Contains("10.79.0.1/24"));

        _time.Advance(Window - TimeSpan.FromSeconds(1));
        Assert.NotNull(changes.State.Pending);
        var message = await Reverted(changes, () => _time.Advance(TimeSpan.FromSeconds(1)));
        Assert.StartsWith("the change from reload was not confirmed by 2026-12-06 12:00:20Z: the last confirmed network is back", message);
        await WaitFor(async () => { var a = await LabAddresses(); return a.Contains("10.78.0.1/24") && !a.Contains("10.79.0.1/24"); });
        Assert.Contains("10.78.0.1/24", await File.ReadAllTextAsync(Path.Combine(networkd.NetworkFolder, $"50-netbootpi-{Lab}.network"), Ct));
        var stored = Store.Load();
        Assert.Null(stored.Pending);
        Assert.True(Wanted("10.79.0.1/24").SameAs(stored.Rejected));

        // The same file reloaded again is not applied on its own; netbootpi apply tries it again, and confirm keeps it.
        Assert.Equal(ApplyResult.NotRetried, (await changes.ApplyAsync(Wanted("10.79.0.1/24"), Window, false, "reload", Ct)).Result);
        Assert.Equal(ApplyResult.Pending, (await changes.ApplyAsync(Wanted("10.79.0.1/24"), Window, false, "apply", Ct)).Result);
        Assert.True(await changes.ConfirmAsync(Ct));
        Assert.False(await changes.ConfirmAsync(Ct));
        _time.Advance(Window * 2);
        Assert.True(Wanted("10.79.0.1/24").SameAs(Store.Load().Confirmed));
        await WaitFor(async () => (await LabAddresses()).Contains("10.79.0.1/24"));
    }

    [Fact]
    public async Task An_agent_that_starts_with_a_change_pending_puts_the_confirmed_network_back_first()
    {
        await using (var before = Changes())
        {
            await before.StartAsync(Wanted("10.78.0.1/24"), Window, Ct);
            Assert.Equal(ApplyResult.Pending, (await before.ApplyAsync(Wanted("10.79.0.1/24"), Window, false, "apply", Ct)).Result);
            await WaitFor(async () => (await LabAddresses()).Contains("10.79.0.1/24"));
            // Stopped (killed, rebooted) inside the window: its timer goes with it; the state file stays.
        }
        await using var after = Changes();
        var reverted = new List<string>();
        after.Reverted += reverted.Add;
        // Started again with the site file that has the unconfirmed change in it.
        var outcome = await after.StartAsync(Wanted("10.79.0.1/24"), Window, Ct);
        Assert.Equal(ApplyResult.NotRetried, outcome.Result);
        Assert.StartsWith("the agent started with the change from apply still unconfirmed (deadline 2026-12-06 12:00:20Z): the last confirmed network is back", Assert.Single(reverted));
        await WaitFor(async () => { var a = await LabAddresses(); return a.Contains("10.78.0.1/24") && !a.Contains("10.79.0.1/24"); });
    }

    [Fact]
    public async Task The_guard_refuses_moving_the_management_address_or_closing_ssh_there_unless_forced()
    {
        await using var changes = Changes();
        await changes.StartAsync(Wanted("10.78.0.1/24"), Window, Ct);
        var files = Directory.GetFiles(networkd.NetworkFolder).Order().Select(File.ReadAllText).ToList();

        var moved = await changes.ApplyAsync(Wanted("10.78.0.1/24", mgmt: "10.77.50.1/24"), Window, false, "apply", Ct);
        Assert.Equal(ApplyResult.Refused, moved.Result);
        Assert.Equal($"refused: the management network would move from 10.77.5.1/24 on {networkd.Link} to 10.77.50.1/24 on {networkd.Link}: " +
                     "a session to 10.77.5.1 would be cut (--force applies it anyway, still inside the confirm window)", moved.Message);
        var closed = await changes.ApplyAsync(Wanted("10.78.0.1/24", firewall: "firewall:\n  allow:\n    mgmt: [ping]\n"), Window, false, "reload", Ct);
        Assert.Equal(ApplyResult.Refused, closed.Result);
        Assert.StartsWith($"refused: SSH would no longer be allowed on the management network mgmt ({networkd.Link}): firewall.allow.mgmt must list ssh", closed.Message);
        Assert.Equal(files, Directory.GetFiles(networkd.NetworkFolder).Order().Select(File.ReadAllText).ToList());
        Assert.Null(Store.Load().Pending);
        Assert.True(_log.Contains(705, "network (reload): SSH would no longer be allowed"));

        var forced = await changes.ApplyAsync(Wanted("10.78.0.1/24", mgmt: "10.77.50.1/24"), Window, force: true, "apply", Ct);
        Assert.Equal(ApplyResult.Pending, forced.Result);
        await WaitFor(async () => (await networkd.InNamespaceAsync("ip", "-4", "-o", "addr", "show", "dev", networkd.Link)).Contains("10.77.50.1/24"));
        await Reverted(changes, () => _time.Advance(Window));
        await WaitFor(async () => (await networkd.InNamespaceAsync("ip", "-4", "-o", "addr", "show", "dev", networkd.Link)).Contains("10.77.5.1/24"));
    }

    [Fact]
    public async Task A_change_that_fails_leaves_the_network_and_the_state_as_they_were()
    {
        await using var changes = Changes();
        await changes.StartAsync(Wanted("10.78.0.1/24"), Window, Ct);
        var state = File.ReadAllText(Store.Path);
        var bad = Wanted("10.79.0.1/24") with { Nftables = "table inet netbootpi { chain c { nonsense } }\n" };
        var outcome = await changes.ApplyAsync(bad, Window, false, "apply", Ct);
        Assert.Equal(ApplyResult.Failed, outcome.Result);
        Assert.StartsWith("run nft -c -f - failed: nft -c -f - exited with 1:", outcome.Message);
        Assert.EndsWith("; the network before it was put back", outcome.Message);
        Assert.Equal(state, File.ReadAllText(Store.Path));
        Assert.Contains("10.78.0.1/24", await File.ReadAllTextAsync(Path.Combine(networkd.NetworkFolder, $"50-netbootpi-{Lab}.network"), Ct));
    }
}
