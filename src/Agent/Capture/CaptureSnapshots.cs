using System.Globalization;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Power;
using NetbootPi.Agent.Power.Recovery;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Capture;

/// <summary>
/// Snapshots of the console host's screen kept with its boot events: one <c>snapshot_delay</c> after the host is
/// powered on (on, cycle or reset through the agent, recovery's too) and one just before recovery power-cycles it
/// (what the screen shows then is why). Each is a JPEG in <c>DATA_DIR/snapshots/</c>, written atomically, the oldest
/// removed past <c>kvm.capture.snapshots</c>, and a <c>capture</c> event naming it (or saying why none was taken).
/// </summary>
public sealed partial class CaptureSnapshots(SiteState state, CaptureService capture, HostPowerService power, IAtomicFiles files, TimeProvider time,
    ILogger<CaptureSnapshots> logger) : IHostedService, IRecoveryWitness, IDisposable
{
    public const string FolderName = "snapshots";

    private static readonly TimeSpan SnapshotTime = TimeSpan.FromSeconds(5);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _folderLock = new();

    /// <summary>Where the snapshots are: <c>DATA_DIR/snapshots</c>.</summary>
    public string Folder => Path.Combine(state.Current.Server.DataDirectory, FolderName);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        power.Acted += OnActed;
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        power.Acted -= OnActed;
        await _stopping.CancelAsync().ConfigureAwait(false);
    }

    private void OnActed(HostEntry host, PowerAction action, PowerReply reply, string who)
    {
        if (!reply.Succeeded || action is not (PowerAction.On or PowerAction.Cycle or PowerAction.Reset)) return;
        if (state.Current.Kvm is not { Capture: { } settings } kvm || !string.Equals(kvm.Host, host.Name, StringComparison.OrdinalIgnoreCase)) return;
        var reason = $"{settings.SnapshotDelay.TotalSeconds:0} s after power {PowerName(action)} by {who}";
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(settings.SnapshotDelay, time, _stopping.Token).ConfigureAwait(false);
                await TakeAsync(host.Name, "power-" + PowerName(action), reason, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The agent stops.
            }
        }, CancellationToken.None);
    }

    public async Task BeforeCycleAsync(HostEntry host, string why, CancellationToken cancellation)
    {
        if (state.Current.Kvm is not { Capture: not null } kvm || !string.Equals(kvm.Host, host.Name, StringComparison.OrdinalIgnoreCase)) return;
        try
        {
            await TakeAsync(host.Name, "recovery", $"before recovery's power cycle ({why})", cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Recovery did not wait longer.
        }
    }

    /// <summary>
    /// Takes a snapshot into the events: the JPEG kept as <c>TIME-HOST-TAG.jpg</c> and an event naming it, or an event
    /// saying why there is none. Returns the name, or null.
    /// </summary>
    public async Task<string?> TakeAsync(string host, string tag, string reason, CancellationToken cancellation)
    {
        if (state.Current.Kvm?.Capture is not { } settings) return null;
        byte[] jpeg;
        try
        {
            if (capture.Running is null) throw new CaptureException("the capture is not running (netbootpi capture start)");
            jpeg = await capture.Client.SnapshotAsync(SnapshotTime, cancellation).ConfigureAwait(false);
        }
        catch (CaptureException e)
        {
            LogNoSnapshot(host, reason, e.Message);
            capture.Record("capture", $"no snapshot {reason}: {e.Message}", succeeded: false);
            return null;
        }
        var now = time.GetUtcNow().UtcDateTime;
        var name = $"{now.ToString("yyyyMMdd'T'HHmmss.fff'Z'", CultureInfo.InvariantCulture)}-{Slug(host)}-{Slug(tag)}.jpg";
        try
        {
            lock (_folderLock)
            {
                Directory.CreateDirectory(Folder);
                files.Write(Path.Combine(Folder, name), jpeg, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
                Prune(settings.Snapshots);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogNoSnapshot(host, reason, e.Message);
            capture.Record("capture", $"no snapshot {reason}: cannot keep it in {Folder}: {e.Message}", succeeded: false);
            return null;
        }
        LogSnapshot(host, name, reason, jpeg.Length);
        capture.Record("capture", $"snapshot {name}: {reason}", succeeded: true, jpeg.Length);
        return name;
    }

    /// <summary>The snapshots kept, oldest first: name, size, when.</summary>
    public IReadOnlyList<(string Name, long Bytes, DateTimeOffset Time)> List()
    {
        if (!Directory.Exists(Folder)) return [];
        return [.. new DirectoryInfo(Folder).EnumerateFiles("*.jpg")
            .Where(f => f.Name[0] != '.' && f.LinkTarget is null)
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .Select(f => (f.Name, f.Length, new DateTimeOffset(f.LastWriteTimeUtc, TimeSpan.Zero)))];
    }

    /// <summary>A kept snapshot's path by its name (no path, no hidden file, no link), or null.</summary>
    public string? Find(string name)
    {
        if (name.Length is 0 or > 200 || name[0] == '.' || !name.EndsWith(".jpg", StringComparison.Ordinal)
            || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))) return null;
        var info = new FileInfo(Path.Combine(Folder, name));
        return info.Exists && info.LinkTarget is null ? info.FullName : null;
    }

    /// <summary>Keeps the newest <paramref name="keep"/>; names start with their time, so name order is time order.</summary>
    private void Prune(int keep)
    {
        var all = new DirectoryInfo(Folder).EnumerateFiles("*.jpg").Where(f => f.Name[0] != '.').OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        for (var i = 0; i < all.Count - keep; i++)
        {
            files.Delete(all[i].FullName);
            LogPruned(all[i].Name);
        }
    }

    internal static string PowerName(PowerAction action) => action.ToString().ToLowerInvariant();

    private static string Slug(string text)
    {
        var s = new StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant()) s.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        return s.Length == 0 ? "host" : s.ToString();
    }

    public void Dispose() => _stopping.Dispose();

    [LoggerMessage(EventId = 1210, Level = LogLevel.Information, Message = "capture: snapshot of {Host} kept as {Name} ({Bytes} bytes): {Reason}")]
    private partial void LogSnapshot(string host, string name, string reason, int bytes);

    [LoggerMessage(EventId = 1211, Level = LogLevel.Warning, Message = "capture: no snapshot of {Host} {Reason}: {Why}")]
    private partial void LogNoSnapshot(string host, string reason, string why);

    [LoggerMessage(EventId = 1212, Level = LogLevel.Information, Message = "capture: snapshot {Name} removed (the oldest past kvm.capture.snapshots)")]
    private partial void LogPruned(string name);
}
