using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace NetbootPi.Agent.Site;

/// <summary>
/// The running agent's one site snapshot. Readers take <see cref="Current"/> once per request and use that
/// snapshot throughout; a reload swaps in a new one atomically, and an invalid file never replaces it.
/// </summary>
public sealed partial class SiteState(string path, SiteInventory initial, ILogger<SiteState>? logger = null, TimeProvider? time = null)
{
    private readonly ILogger _logger = logger ?? NullLogger<SiteState>.Instance;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private SiteInventory _current = initial;
    private long _loadedTicks = (time ?? TimeProvider.System).GetUtcNow().UtcTicks;

    public string Path { get; } = path;

    public SiteInventory Current => Volatile.Read(ref _current);

    /// <summary>When <see cref="Current"/> was swapped in: at start, or by the last reload, apply or rollback (the file on disk may be newer).</summary>
    public DateTimeOffset Loaded => new(Interlocked.Read(ref _loadedTicks), TimeSpan.Zero);

    /// <summary>
    /// Raised after a new snapshot is in place, with the new snapshot. Each handler runs on its own: one that
    /// throws is logged and the others still run, so no service misses a reload because another failed.
    /// </summary>
    public event Action<SiteInventory>? Changed;

    private readonly List<(string Key, Func<SiteInventory, string> Value, string Why)> _fixed = [];

    /// <summary>
    /// Refuses a reload that changes <paramref name="key"/> (its <paramref name="value"/> in the site): something
    /// the running agent set up from it at start cannot follow, and serving half from the old value and half from
    /// the new would split the agent (<paramref name="why"/> says what).
    /// </summary>
    public void RequireUnchangedOnReload(string key, Func<SiteInventory, string> value, string why)
    {
        lock (_fixed) _fixed.Add((key, value, why));
    }

    /// <summary>Reads the file again; swaps the snapshot only if the file is valid and changes nothing fixed.</summary>
    public SiteLoadResult Reload()
    {
        var result = SiteFile.Load(Path);
        if (result.Inventory is not { } next) return result;
        if (Refusals(next) is { } refused) return new SiteLoadResult(null, refused);
        Replace(next);
        return result;
    }

    /// <summary>
    /// Why <paramref name="next"/> cannot replace the running site without a restart (it changes a key fixed at
    /// start), or null when it can.
    /// </summary>
    public IReadOnlyList<SiteError>? Refusals(SiteInventory next)
    {
        var running = Current;
        List<SiteError>? refused = null;
        lock (_fixed)
        {
            foreach (var (key, value, why) in _fixed)
            {
                var (was, now) = (value(running), value(next));
                if (was == now) continue;
                (refused ??= []).Add(new SiteError(next.Server.Location ?? new SourceLocation(Path, 1, 1), key,
                    $"changed from {was} to {now}, which takes a restart ({why}): restart the agent (systemctl restart netbootpi) to use it"));
            }
        }
        return refused;
    }

    /// <summary>Swaps in <paramref name="next"/>, checked by <see cref="Refusals"/> first, and tells the services.</summary>
    public void Replace(SiteInventory next)
    {
        Volatile.Write(ref _current, next);
        Interlocked.Exchange(ref _loadedTicks, _time.GetUtcNow().UtcTicks);
        Notify(next);
    }

    private void Notify(SiteInventory next)
    {
        if (Changed is not { } handlers) return;
        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((Action<SiteInventory>)handler).Invoke(next);
            }
            catch (Exception e)
            {
                // A handler's bug must not keep the other services on the old snapshot, nor end the reload.
                LogHandlerFailed(handler.Method.DeclaringType?.Name ?? "?", e);
            }
        }
    }

    [LoggerMessage(EventId = 13, Level = LogLevel.Error, Message = "site reload: {Service} failed to take the new site")]
    private partial void LogHandlerFailed(string service, Exception error);
}
