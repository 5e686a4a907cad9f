using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Alerts;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Backup;

/// <summary>
/// The agent's own backup schedule (<c>backup.every</c>): a backup is due when the newest of the site's backups in
/// <c>backup.to</c> (known from its name, so a restart or a run by hand counts) is <c>every</c> old, or there is
/// none; a missed run is made at start, like a timer with <c>Persistent=true</c>. Each run is a <c>backup</c> boot
/// event; a failed one is retried after a quarter of <c>every</c> (1 minute to 1 hour) and is a
/// <c>backup-failed</c> alert; when the newest good backup is older than twice <c>every</c> the status line says so
/// and a <c>backup-overdue</c> alert is raised once, until a backup is written again.
/// </summary>
public sealed partial class BackupService(SiteState state, BootEventLog events, AlertService? alerts, ServiceStatus status, TimeProvider time,
    ILogger<BackupService> logger, string version) : BackgroundService
{
    public const string StatusPart = "backup";

    /// <summary>The longest wait between looks at the site (a reload may set or change <c>backup.every</c>).</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromMinutes(1);

    private DateTimeOffset? _retryAt;
    private DateTimeOffset? _lastWritten;
    private bool _overdueRaised;
    private string? _listed;

    /// <summary>Ends each look at the schedule (for tests: a run, a wait).</summary>
    public event Action<BackupRunOutcome>? Looked;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var outcome = await LookAsync(stoppingToken).ConfigureAwait(false);
            Looked?.Invoke(outcome);
            try
            {
                await Task.Delay(outcome.Wait, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One look: a backup when one is due, the status and alerts; how long until the next look.</summary>
    internal async Task<BackupRunOutcome> LookAsync(CancellationToken cancellation)
    {
        var site = state.Current;
        if (site.Backup is not { Every: { } every, To: { } folder })
        {
            status.Set(StatusPart, null);
            return new BackupRunOutcome(null, Tick);
        }
        var now = time.GetUtcNow();
        // The folder's newest, or the last this agent wrote if later (a backup disk unmounted since shows none). A
        // remote destination is listed once (at start, or when backup.to changes), not on every look: its newest
        // counts as the last this agent wrote.
        DateTimeOffset? newest = null;
        if (BackupDestination.TryParse(folder, out var dest, out _) && !dest.IsRemote) newest = Newest(folder, site.Site.Name);
        else if (_listed != folder)
        {
            _listed = folder;
            _lastWritten = await NewestRemoteAsync(site, folder, cancellation).ConfigureAwait(false);
        }
        if (_lastWritten > newest || newest is null) newest = _lastWritten;
        string? written = null;
        if ((newest is null || now - newest >= every) && (_retryAt is null || now >= _retryAt))
        {
            try
            {
                var w = await BackupWriter.WriteAsync(site, state.Path, folder, unencrypted: false, version, now, cancellation).ConfigureAwait(false);
                written = w.Path;
                newest = _lastWritten = now;
                _retryAt = null;
                _overdueRaised = false;
                events.Record(new BootEvent(now, "agent", null, BootEventKind.Backup,
                    $"wrote {w.Path}: {w.Manifest.Files.Length} files" + (w.Removed.Count > 0 ? $"; removed {string.Join(", ", w.Removed)}" : ""), 0, w.Bytes));
                LogWritten(w.Path, w.Manifest.Files.Length, w.Bytes);
            }
            catch (Exception e) when (e is BackupException or IOException or UnauthorizedAccessException)
            {
                var retry = TimeSpan.FromTicks(Math.Clamp(every.Ticks / 4, TimeSpan.FromMinutes(1).Ticks, TimeSpan.FromHours(1).Ticks));
                _retryAt = now + retry;
                var why = e is BackupException ? e.Message : FileErrorsReason(e, folder);
                events.Record(new BootEvent(now, "agent", null, BootEventKind.Backup, $"failed: {why}", 1, 0));
                alerts?.Raise(AlertKind.BackupFailed, null, $"the scheduled backup to {folder} failed: {why}; retried at {Stamp(_retryAt.Value)}");
                LogFailed(folder, why);
            }
        }
        var overdue = newest is null ? (TimeSpan?)null : now - newest;
        if (newest is null || overdue > 2 * every)
        {
            var text = newest is null ? $"no backup in {folder} yet" : $"overdue: the newest backup in {folder} is from {Stamp(newest.Value)}";
            status.Set(StatusPart, "backup " + text);
            if (!_overdueRaised && (newest is not null || _retryAt is not null))
            {
                _overdueRaised = true;
                alerts?.Raise(AlertKind.BackupOverdue, null, $"backup {text} (backup.every is {every})");
            }
        }
        else status.Set(StatusPart, null);
        var due = (newest ?? now) + every;
        if (_retryAt is { } r && r < due) due = r;
        var wait = due - now;
        if (wait > Tick) wait = Tick;
        if (wait < TimeSpan.FromSeconds(1)) wait = TimeSpan.FromSeconds(1);
        return new BackupRunOutcome(written, wait);
    }

    private static DateTimeOffset? Newest(string folder, string site)
    {
        try
        {
            return BackupWriter.Newest(folder, site);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private async Task<DateTimeOffset?> NewestRemoteAsync(SiteInventory site, string to, CancellationToken cancellation)
    {
        try
        {
            return (await BackupWriter.ListAsync(site, state.Path, to, site.Site.Name, cancellation).ConfigureAwait(false))
                .Select(b => BackupWriter.Made(b.Name, site.Site.Name)).Max();
        }
        catch (Exception e) when (e is BackupException or IOException or UnauthorizedAccessException)
        {
            // Unknown: a backup is made now, and its failure says why.
            LogFailed(to, e.Message);
            return null;
        }
    }

    private static string FileErrorsReason(Exception e, string folder) => Os.Files.FileErrors.Reason(e, folder);

    private static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "backup: wrote {Path} ({Files} files, {Bytes} bytes)")]
    private partial void LogWritten(string path, int files, long bytes);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "backup to {Folder} failed: {Why}")]
    private partial void LogFailed(string folder, string why);
}
