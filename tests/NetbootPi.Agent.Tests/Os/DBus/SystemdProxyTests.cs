using System.Threading.Channels;
using NetbootPi.Agent.Os.DBus;
using NetbootPi.Agent.Tests.Os.Systemd;
using Tmds.DBus.Protocol;

namespace NetbootPi.Agent.Tests.Os.DBus;

/// <summary><see cref="SystemdManagerProxy"/> and <see cref="SystemdUnitProxy"/> against a real systemd user manager on its bus.</summary>
public class SystemdProxyTests(SystemdUserManagerFixture systemd) : IClassFixture<SystemdUserManagerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_units_state_changes_arrive_as_PropertiesChanged_and_its_job_as_JobRemoved()
    {
        using var connection = await DBusConnector.ConnectAsync(systemd.RequireBus(), Ct);
        var manager = new SystemdManagerProxy(connection);
        systemd.WriteUnit("nbp-watched.service", """
            [Service]
            Type=simple
            ExecStart=/bin/sleep infinity
            """);
        await manager.ReloadAsync();
        await manager.SubscribeAsync();
        var unit = new SystemdUnitProxy(connection, await manager.LoadUnitAsync("nbp-watched.service"));
        Assert.Equal(("loaded", "inactive", "dead"), await unit.GetStatesAsync());

        var active = Channel.CreateUnbounded<string>();
        var jobs = Channel.CreateUnbounded<(uint Id, ObjectPath Job, string Unit, string Result)>();
        using var states = await unit.WatchStatesChangedAsync(n =>
        {
            if (n.HasValue && n.Value.TryGetValue("ActiveState", out var state) && state is not null) active.Writer.TryWrite(state);
        }, emitOnCapturedContext: false);
        using var removed = await manager.WatchJobRemovedAsync(n =>
        {
            if (n.HasValue) jobs.Writer.TryWrite(n.Value);
        }, emitOnCapturedContext: false);

        var job = await manager.StartUnitAsync("nbp-watched.service", "replace");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var ended = await jobs.Reader.ReadAsync(timeout.Token);
        Assert.Equal((job.ToString(), "nbp-watched.service", "done"), (ended.Job.ToString(), ended.Unit, ended.Result));
        string seen;
        do seen = await active.Reader.ReadAsync(timeout.Token);
        while (seen != "active");
        Assert.Equal(("loaded", "active", "running"), await unit.GetStatesAsync());

        await manager.StopUnitAsync("nbp-watched.service", "replace");
        do seen = await active.Reader.ReadAsync(timeout.Token);
        while (seen != "inactive");
    }

    [Fact]
    public async Task Unit_files_are_enabled_and_disabled_with_the_changes_systemd_made()
    {
        using var connection = await DBusConnector.ConnectAsync(systemd.RequireBus(), Ct);
        var manager = new SystemdManagerProxy(connection);
        systemd.WriteUnit("nbp-installable.service", """
            [Service]
            ExecStart=/bin/sleep infinity
            [Install]
            WantedBy=default.target
            """);
        await manager.ReloadAsync();
        string link = Path.Combine(systemd.UnitFolder, "default.target.wants", "nbp-installable.service");
        var (carriesInstallInfo, enabled) = await manager.EnableUnitFilesAsync(["nbp-installable.service"], runtime: false, force: false);
        Assert.True(carriesInstallInfo);
        Assert.Equal(("symlink", link, Path.Combine(systemd.UnitFolder, "nbp-installable.service")), Assert.Single(enabled));
        Assert.Equal(("unlink", link, ""), Assert.Single(await manager.DisableUnitFilesAsync(["nbp-installable.service"], runtime: false)));
    }

    [Fact]
    public async Task Refusals_carry_systemds_error_name()
    {
        using var connection = await DBusConnector.ConnectAsync(systemd.RequireBus(), Ct);
        var manager = new SystemdManagerProxy(connection);
        var unknown = await Assert.ThrowsAsync<DBusErrorReplyException>(() => manager.StartUnitAsync("nbp-nothing.service", "replace"));
        Assert.Equal("org.freedesktop.systemd1.NoSuchUnit", unknown.ErrorName);
        Assert.Contains("nbp-nothing.service", unknown.ErrorMessage);
        var mode = await Assert.ThrowsAsync<DBusErrorReplyException>(() => manager.StartUnitAsync("nbp-nothing.service", "no-such-mode"));
        Assert.Equal("org.freedesktop.DBus.Error.InvalidArgs", mode.ErrorName);
    }
}
