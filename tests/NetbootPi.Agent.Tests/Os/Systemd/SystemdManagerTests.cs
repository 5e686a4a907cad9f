using NetbootPi.Agent.Os.DBus;
using NetbootPi.Agent.Os.Systemd;
using Tmds.DBus.Protocol;

namespace NetbootPi.Agent.Tests.Os.Systemd;

/// <summary><see cref="SystemdManager"/> against a real systemd user manager, with unit files of its own.</summary>
public class SystemdManagerTests(SystemdUserManagerFixture systemd) : IClassFixture<SystemdUserManagerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private SystemdManager CreateManager(List<DBusConnection>? connections = null)
    {
        var address = systemd.RequireBus();
        return new SystemdManager(async ct =>
        {
            var connection = await DBusConnector.ConnectAsync(address, ct);
            connections?.Add(connection);
            return connection;
        }, new SystemdManagerOptions { JobTimeout = TimeSpan.FromSeconds(60) }, address);
    }

    private const string SleepService = """
        [Unit]
        Description=NetbootPi test: a long-running service
        [Service]
        Type=simple
        ExecStart=/bin/sleep infinity
        """;

    [Fact]
    public async Task Starts_restarts_and_stops_a_service_and_sees_its_states()
    {
        await using var manager = CreateManager();
        systemd.WriteUnit("nbp-sleep.service", SleepService);
        await manager.ReloadAsync(Ct);
        Assert.Equal(new UnitState("loaded", "inactive", "dead"), await manager.GetUnitStateAsync("nbp-sleep.service", Ct));

        await manager.StartUnitAsync("nbp-sleep.service", Ct);
        Assert.Equal(new UnitState("loaded", "active", "running"), await manager.GetUnitStateAsync("nbp-sleep.service", Ct));
        var before = Assert.Single(systemd.ProcessesOf("nbp-sleep.service"));

        await manager.RestartUnitAsync("nbp-sleep.service", Ct);
        Assert.True((await manager.GetUnitStateAsync("nbp-sleep.service", Ct)).IsActive);
        var after = Assert.Single(systemd.ProcessesOf("nbp-sleep.service"));
        Assert.NotEqual(before, after);

        // Without ExecReload, reload-or-restart restarts.
        await manager.ReloadOrRestartUnitAsync("nbp-sleep.service", Ct);
        Assert.NotEqual(after, Assert.Single(systemd.ProcessesOf("nbp-sleep.service")));

        await manager.StopUnitAsync("nbp-sleep.service", Ct);
        Assert.Equal(new UnitState("loaded", "inactive", "dead"), await manager.GetUnitStateAsync("nbp-sleep.service", Ct));
        Assert.Empty(systemd.ProcessesOf("nbp-sleep.service"));
    }

    [Fact]
    public async Task A_failing_start_throws_naming_the_unit_and_the_job_result()
    {
        await using var manager = CreateManager();
        systemd.WriteUnit("nbp-fail.service", """
            [Service]
            Type=oneshot
            ExecStart=/bin/false
            """);
        await manager.ReloadAsync(Ct);
        var ex = await Assert.ThrowsAsync<SystemdException>(() => manager.StartUnitAsync("nbp-fail.service", Ct));
        Assert.Equal(("start", "nbp-fail.service", "failed"), (ex.Operation, ex.Unit, ex.JobResult));
        Assert.Contains("nbp-fail.service", ex.Message);
        var state = await manager.GetUnitStateAsync("nbp-fail.service", Ct);
        Assert.True(state.IsFailed, state.ToString());
        Assert.Equal("failed", state.SubState);
    }

    [Fact]
    public async Task Reload_or_restart_reloads_a_service_that_can_reload()
    {
        await using var manager = CreateManager();
        string marker = Path.Combine(systemd.ScratchFolder, "reloaded");
        systemd.WriteUnit("nbp-reload.service", $"""
            [Service]
            Type=simple
            ExecStart=/bin/sleep infinity
            ExecReload=/bin/touch {marker}
            """);
        await manager.ReloadAsync(Ct);
        await manager.StartUnitAsync("nbp-reload.service", Ct);
        var pid = Assert.Single(systemd.ProcessesOf("nbp-reload.service"));
        await manager.ReloadOrRestartUnitAsync("nbp-reload.service", Ct);
        Assert.True(File.Exists(marker));
        Assert.Equal(pid, Assert.Single(systemd.ProcessesOf("nbp-reload.service")));
        Assert.True((await manager.GetUnitStateAsync("nbp-reload.service", Ct)).IsActive);
        await manager.StopUnitAsync("nbp-reload.service", Ct);
    }

    [Fact]
    public async Task Enables_and_disables_unit_files()
    {
        await using var manager = CreateManager();
        systemd.WriteUnit("nbp-enable.service", SleepService + "\n[Install]\nWantedBy=default.target\n");
        await manager.ReloadAsync(Ct);
        string link = Path.Combine(systemd.UnitFolder, "default.target.wants", "nbp-enable.service");

        var enabled = await manager.EnableUnitFilesAsync(["nbp-enable.service"], Ct);
        var change = Assert.Single(enabled);
        Assert.Equal(("symlink", link), (change.Type, change.FileName));
        Assert.True(File.Exists(link));

        var disabled = await manager.DisableUnitFilesAsync(["nbp-enable.service"], Ct);
        Assert.Equal(("unlink", link), (Assert.Single(disabled).Type, disabled[0].FileName));
        Assert.False(File.Exists(link));
    }

    [Fact]
    public async Task Daemon_reload_picks_up_a_new_unit_file()
    {
        await using var manager = CreateManager();
        Assert.Equal("not-found", (await manager.GetUnitStateAsync("nbp-late.service", Ct)).LoadState);
        systemd.WriteUnit("nbp-late.service", SleepService);
        await manager.ReloadAsync(Ct);
        Assert.Equal(new UnitState("loaded", "inactive", "dead"), await manager.GetUnitStateAsync("nbp-late.service", Ct));
    }

    [Fact]
    public async Task A_unit_systemd_does_not_know_is_refused_with_its_error_name()
    {
        await using var manager = CreateManager();
        var ex = await Assert.ThrowsAsync<SystemdException>(() => manager.StartUnitAsync("nbp-missing.service", Ct));
        Assert.Equal("org.freedesktop.systemd1.NoSuchUnit", ex.ErrorName);
        Assert.Equal("nbp-missing.service", ex.Unit);
        Assert.Contains("nbp-missing.service", ex.Message);
    }

    [Fact]
    public async Task Concurrent_jobs_each_wait_for_their_own()
    {
        await using var manager = CreateManager();
        systemd.WriteUnit("nbp-a.service", SleepService);
        systemd.WriteUnit("nbp-b.service", """
            [Service]
            Type=oneshot
            ExecStart=/bin/false
            """);
        await manager.ReloadAsync(Ct);
        var a = manager.StartUnitAsync("nbp-a.service", Ct);
        var b = manager.StartUnitAsync("nbp-b.service", Ct);
        await a;
        var ex = await Assert.ThrowsAsync<SystemdException>(() => b);
        Assert.Equal("nbp-b.service", ex.Unit);
        Assert.True((await manager.GetUnitStateAsync("nbp-a.service", Ct)).IsActive);
        await manager.StopUnitAsync("nbp-a.service", Ct);
    }

    [Fact]
    public async Task Connects_again_after_the_connection_is_lost()
    {
        var connections = new List<DBusConnection>();
        await using var manager = CreateManager(connections);
        systemd.WriteUnit("nbp-again.service", SleepService);
        await manager.ReloadAsync(Ct);
        connections[0].Dispose();
        await manager.StartUnitAsync("nbp-again.service", Ct);
        Assert.Equal(2, connections.Count);
        Assert.True((await manager.GetUnitStateAsync("nbp-again.service", Ct)).IsActive);
        await manager.StopUnitAsync("nbp-again.service", Ct);
    }

    [Fact]
    public async Task Cancelling_stops_the_wait_not_the_job()
    {
        await using var manager = CreateManager();
        var (started, go) = systemd.WriteBlockingUnit("nbp-cancel.service");
        await manager.ReloadAsync(Ct);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var start = manager.StartUnitAsync("nbp-cancel.service", cancel.Token);
        await WaitUntilAsync(() => Task.FromResult(File.Exists(started)));
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => start);

        Assert.Equal("activating", (await manager.GetUnitStateAsync("nbp-cancel.service", Ct)).ActiveState);
        await File.WriteAllTextAsync(go, "", Ct);
        await WaitUntilAsync(async () => (await manager.GetUnitStateAsync("nbp-cancel.service", Ct)).IsActive);
        await manager.StopUnitAsync("nbp-cancel.service", Ct);
    }

    [Fact]
    public async Task A_job_that_does_not_finish_in_time_fails_naming_the_unit()
    {
        var clock = new FakeTimeProvider();
        await using var manager = new SystemdManager(systemd.RequireBus(), new SystemdManagerOptions
        {
            TimeProvider = clock,
            JobTimeout = TimeSpan.FromSeconds(30),
            CallTimeout = TimeSpan.FromHours(1),
        });
        var (started, go) = systemd.WriteBlockingUnit("nbp-slow.service");
        await manager.ReloadAsync(Ct);
        var start = manager.StartUnitAsync("nbp-slow.service", Ct);
        await WaitUntilAsync(() => Task.FromResult(File.Exists(started)));
        // The job wait begins once the StartUnit reply has been read, which the test cannot see: move the clock
        // past the job timeout until the wait has noticed (far below the call timeout, so only the job wait can end).
        while (!start.IsCompleted)
        {
            clock.Advance(TimeSpan.FromSeconds(31));
            await Task.WhenAny(start, Task.Delay(20, Ct));
        }
        var ex = await Assert.ThrowsAsync<SystemdException>(() => start);
        Assert.Equal(("start", "nbp-slow.service", null), (ex.Operation, ex.Unit, ex.JobResult));
        Assert.Contains("the start job for nbp-slow.service did not finish within 30 s", ex.Message);
        await File.WriteAllTextAsync(go, "", Ct);
        await WaitUntilAsync(async () => (await manager.GetUnitStateAsync("nbp-slow.service", Ct)).IsActive);
        await manager.StopUnitAsync("nbp-slow.service", Ct);
    }

    [Fact]
    public async Task A_job_in_flight_when_the_bus_goes_away_fails_clearly_and_the_next_call_connects_again()
    {
        var bus = systemd.RequireBus();
        await using var manager = new SystemdManager(bus, new SystemdManagerOptions { JobTimeout = TimeSpan.FromSeconds(60) });
        var (started, go) = systemd.WriteBlockingUnit("nbp-inflight.service");
        systemd.WriteUnit("nbp-after.service", SleepService);
        await manager.ReloadAsync(Ct);
        var start = manager.StartUnitAsync("nbp-inflight.service", Ct);
        await WaitUntilAsync(() => Task.FromResult(File.Exists(started)));
        // Replies come in order: once this one is in, so is StartUnit's, and the operation waits for JobRemoved.
        Assert.Equal("activating", (await manager.GetUnitStateAsync("nbp-inflight.service", Ct)).ActiveState);

        systemd.StopBusDaemon();
        var ex = await Assert.ThrowsAsync<SystemdException>(() => start.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        Assert.Equal(("start", "nbp-inflight.service"), (ex.Operation, ex.Unit));
        Assert.Contains("ended while the start job for nbp-inflight.service ran", ex.Message);
        Assert.IsAssignableFrom<DBusConnectionException>(ex.InnerException);

        // The bus comes back at the same address (systemd kept dbus.socket and starts dbus-daemon on the next
        // connection) and systemd takes its name on it again.
        await File.WriteAllTextAsync(go, "", Ct);
        await WaitUntilAsync(() => SystemdUserManagerFixture.HasSystemdAsync(bus));

        // The same manager connects again and watches jobs on the new connection.
        await manager.StartUnitAsync("nbp-after.service", Ct);
        Assert.True((await manager.GetUnitStateAsync("nbp-after.service", Ct)).IsActive);
        await WaitUntilAsync(async () => (await manager.GetUnitStateAsync("nbp-inflight.service", Ct)).IsActive); // the job went on
        await manager.StopUnitAsync("nbp-after.service", Ct);
        await manager.StopUnitAsync("nbp-inflight.service", Ct);
    }

    [Fact]
    public async Task An_address_nobody_listens_on_fails_naming_it()
    {
        await using var manager = new SystemdManager("unix:path=/nonexistent/netbootpi-bus");
        var ex = await Assert.ThrowsAsync<SystemdException>(() => manager.GetUnitStateAsync("nbp-any.service", Ct));
        Assert.Contains("unix:path=/nonexistent/netbootpi-bus", ex.Message);
        Assert.Contains("nbp-any.service", ex.Unit);
    }

    // Readiness of outside processes (a unit's script, the bus coming back): poll within a deadline.
    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                if (await condition()) return;
            }
            catch (Exception e) when (e is DBusConnectionException or DBusErrorReplyException && DateTime.UtcNow < deadline)
            {
                // The bus or systemd is not back yet.
            }
            if (DateTime.UtcNow >= deadline) Assert.Fail("the condition did not hold within 30 s");
            await Task.Delay(50, Ct);
        }
    }
}
