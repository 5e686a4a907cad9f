using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NetbootPi.Agent.Age;
using NetbootPi.Agent.Alerts;
using NetbootPi.Agent.Backup;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Tests.Backup;

/// <summary>
/// The agent's backup schedule on a fake clock: a backup when none is there or the newest is <c>every</c> old (by
/// the names in the folder), a failure retried after a quarter of <c>every</c> and alerted, an overdue backup in
/// the status line and alerted once, each run a <c>backup</c> event.
/// </summary>
public sealed class BackupServiceTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly string _dir = Directory.CreateTempSubdirectory("nbp-backup-schedule-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero));
    private BootEventLog? _events;

    public void Dispose()
    {
        _events?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private (BackupService Service, AlertService Alerts, ServiceStatus Status, SiteState State) Start(string to)
    {
        var sitePath = Path.Combine(_dir, "site.yaml");
        var (identity, _) = AgeIdentity.Generate();
        var text = $$"""
            site: { name: t }
            server: { state_dir: {{_dir}}/state }
            networks:
              lan: { interface: eth0, address: 10.0.0.1/24 }
            backup: { recipients: [{{identity.Recipient}}], to: {{to}}, every: 1h, keep: 50 }
            """;
        File.WriteAllText(sitePath, text);
        Directory.CreateDirectory(Path.Combine(_dir, "state"));
        File.WriteAllText(Path.Combine(_dir, "state", "leases.journal"), "x");
        var result = SiteFile.Load(sitePath);
        Assert.Empty(result.Errors);
        var state = new SiteState(sitePath, result.Inventory!);
        _events = new BootEventLog(Path.Combine(_dir, "events"), NullLogger<BootEventLog>.Instance);
        var alerts = new AlertService(state, _events, _time, NullLogger<AlertService>.Instance, "1.2.3");
        var status = new ServiceStatus(new SystemdNotifier(null));
        return (new BackupService(state, _events, alerts, status, _time, NullLogger<BackupService>.Instance, "1.2.3"), alerts, status, state);
    }

    private string[] BackupEvents() => [.. _events!.Recent().Where(e => e.Kind == BootEventKind.Backup).Select(e => $"{e.Status} {e.Path.Split(':')[0]}")];

    [Fact]
    public async Task A_backup_is_written_when_due_and_not_before()
    {
        var folder = Path.Combine(_dir, "backups");
        var (service, _, status, _) = Start(folder);

        var first = await service.LookAsync(Ct);
        Assert.NotNull(first.Written);
        Assert.Equal(BackupService.Tick, first.Wait);
        Assert.Equal("", status.Text);

        _time.Advance(TimeSpan.FromMinutes(59));
        Assert.Null((await service.LookAsync(Ct)).Written);
        _time.Advance(TimeSpan.FromMinutes(1));
        var second = await service.LookAsync(Ct);
        Assert.NotNull(second.Written);
        Assert.Equal(2, Directory.GetFiles(folder).Length);
        Assert.Equal(["0 wrote " + first.Written, "0 wrote " + second.Written], BackupEvents());
    }

    [Fact]
    public async Task A_failed_backup_is_retried_after_a_quarter_of_every_and_an_overdue_one_is_said_and_alerted_once()
    {
        // The folder is a file: nothing can be written there.
        var folder = Path.Combine(_dir, "not-a-folder");
        File.WriteAllText(folder, "");
        var (service, alerts, status, _) = Start(folder);

        var failed = await service.LookAsync(Ct);
        Assert.Null(failed.Written);
        Assert.Equal(1, alerts.Raised(AlertKind.BackupFailed));
        Assert.Equal($"backup no backup in {folder} yet", status.Text);
        Assert.Equal(1, alerts.Raised(AlertKind.BackupOverdue));
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Null((await service.LookAsync(Ct)).Written);
        Assert.Equal(1, alerts.Raised(AlertKind.BackupFailed)); // not tried again yet
        _time.Advance(TimeSpan.FromMinutes(5));
        await service.LookAsync(Ct);
        Assert.Equal(2, alerts.Raised(AlertKind.BackupFailed));
        Assert.Equal(["1 failed", "1 failed"], BackupEvents());

        // The folder comes back: the next try writes, the status clears; then it falls behind by over 2 × every.
        File.Delete(folder);
        _time.Advance(TimeSpan.FromMinutes(15));
        Assert.NotNull((await service.LookAsync(Ct)).Written);
        Assert.Equal("", status.Text);
        Directory.Delete(folder, recursive: true);
        File.WriteAllText(folder, "");
        _time.Advance(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1));
        await service.LookAsync(Ct);
        Assert.StartsWith($"backup overdue: the newest backup in {folder} is from 2026-12-07 10:30 UTC", status.Text, StringComparison.Ordinal);
        Assert.Equal(2, alerts.Raised(AlertKind.BackupOverdue));
        _time.Advance(TimeSpan.FromMinutes(30));
        await service.LookAsync(Ct);
        Assert.Equal(2, alerts.Raised(AlertKind.BackupOverdue));
    }
}
