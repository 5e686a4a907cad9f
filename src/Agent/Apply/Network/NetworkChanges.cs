using Microsoft.Extensions.Logging;

namespace NetbootPi.Agent.Apply.Network;

/// <summary>
/// Every change to the box's own network goes through here (the agent's start, a site reload, <c>netbootpi
/// apply</c>): the lock-out guard, then the change applied with a confirm window, after which the last confirmed
/// network is put back unless <see cref="ConfirmAsync"/> came first. The pending change and its deadline are
/// stored (<see cref="ConfirmStore"/>) before anything changes, so an agent that starts and finds one pending puts
/// the confirmed network back first: a crash, a restart or a reboot inside the window ends as a missed deadline does.
/// </summary>
/// <remarks>
/// One change at a time (a gate). The first network the agent ever applies at start or on reload is confirmed at
/// once: there is no earlier network of ours to go back to. A change put back for want of a confirm is not applied
/// again by a restart or a reload of the same file (<see cref="ApplyResult.NotRetried"/>); <c>netbootpi apply</c> does.
/// </remarks>
public sealed partial class NetworkChanges(IApplier<NetworkWanted> applier, ConfirmStore store, TimeProvider time, ILogger logger)
    : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ConfirmState _state = ConfirmState.Initial;
    private ITimer? _timer;

    /// <summary>The state as last stored.</summary>
    public ConfirmState State => Volatile.Read(ref _state);

    /// <summary>Raised after a pending change was put back (at its deadline or at start), with the sentence logged about it.</summary>
    public event Action<string>? Reverted;

    /// <summary>
    /// At the agent's start: puts back the confirmed network if a change was pending when the agent stopped (or a
    /// deadline is running again), then applies <paramref name="siteWanted"/> as a change from <paramref name="source"/>.
    /// </summary>
    public async Task<ApplyOutcome> StartAsync(NetworkWanted siteWanted, TimeSpan window, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _state = store.Load();
            if (_state.Pending is { } pending)
                await RevertLockedAsync($"the agent started with the change from {pending.Source} still unconfirmed (deadline {pending.Deadline:u})", cancellationToken).ConfigureAwait(false);
            return await ApplyLockedAsync(siteWanted, window, force: false, "start", cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>What applying <paramref name="wanted"/> would do now; changes nothing.</summary>
    public Task<ApplyPlan> PlanAsync(NetworkWanted wanted, CancellationToken cancellationToken = default) => applier.PlanAsync(wanted, cancellationToken);

    /// <summary>
    /// Applies <paramref name="wanted"/> unless the guard refuses it (<paramref name="force"/> skips the guard), to
    /// be confirmed within <paramref name="window"/>.
    /// </summary>
    public async Task<ApplyOutcome> ApplyAsync(NetworkWanted wanted, TimeSpan window, bool force, string source, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ApplyLockedAsync(wanted, window, force, source, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Confirms the pending change: it becomes the network to go back to. False when none is pending.</summary>
    public async Task<bool> ConfirmAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_state.Pending is not { } pending) return false;
            Save(new ConfirmState(pending.Wanted, null, null));
            Disarm();
            LogConfirmed(pending.Source, pending.Wanted.Describe());
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<ApplyOutcome> ApplyLockedAsync(NetworkWanted wanted, TimeSpan window, bool force, string source, CancellationToken cancellationToken)
    {
        var auto = source != "apply";
        if (auto && wanted.SameAs(_state.Rejected))
        {
            var message = "the site's network was put back once for want of a confirm and is not applied again on its own: run netbootpi apply to try it again";
            LogNotRetried(source, message);
            return new ApplyOutcome(ApplyResult.NotRetried, message, ApplyPlan.Empty);
        }
        if (auto && wanted.SameAs(_state.Pending?.Wanted))
        {
            // A reload that leaves the network as the pending change has it (a host added, or the reload that
            // follows netbootpi apply) neither applies it again nor moves its deadline.
            return new ApplyOutcome(ApplyResult.Pending, $"the pending change stands; confirm by {_state.Pending!.Deadline:u}", ApplyPlan.Empty, _state.Pending.Deadline);
        }
        if (!force && LockoutGuard.Check(_state.Confirmed, wanted) is { } reason)
        {
            LogRefused(source, reason);
            return new ApplyOutcome(ApplyResult.Refused, $"refused: {reason} (--force applies it anyway, still inside the confirm window)", ApplyPlan.Empty);
        }

        var plan = await applier.PlanAsync(wanted, cancellationToken).ConfigureAwait(false);
        var confirmed = _state.Confirmed;
        var previous = _state.Pending?.Wanted ?? confirmed ?? NetworkWanted.Nothing;
        // Peers added to the tunnel (netbootpi wg peer add) cut nobody off: applied and kept at once.
        var atOnce = wanted.SameAs(confirmed) || (confirmed is null && auto)
            || (auto && _state.Pending is null && TunnelChanges.OnlyAddsPeers(confirmed, wanted));
        if (wanted.Backend == Site.NetworkBackend.None && !atOnce && plan.IsEmpty)
            return new ApplyOutcome(ApplyResult.Unchanged, "network_backend is none: the network is left alone", plan);

        // Stored before anything changes: from here on, a crash or a reboot ends in the confirmed network.
        var deadline = time.GetUtcNow() + window;
        if (atOnce) Save(new ConfirmState(wanted, null, null));
        else Save(new ConfirmState(confirmed, new PendingChange(wanted, deadline, source), null));
        Disarm();
        try
        {
            await applier.ExecuteAsync(plan, cancellationToken).ConfigureAwait(false);
        }
        catch (ApplyException e)
        {
            var back = await PutBackAsync(previous, cancellationToken).ConfigureAwait(false);
            Save(new ConfirmState(confirmed, _state.Pending is { } p && !ReferenceEquals(p.Wanted, wanted) ? p : null, null));
            if (_state.Pending is { } still) Arm(still.Deadline);
            var message = $"{e.Message}; {back}";
            LogFailed(source, message);
            return new ApplyOutcome(ApplyResult.Failed, message, plan);
        }
        if (atOnce)
        {
            LogApplied(source, wanted.Describe(), plan.IsEmpty ? "nothing to change" : $"{plan.Files.Count} files, {plan.Steps.Count} steps");
            return new ApplyOutcome(plan.IsEmpty ? ApplyResult.Unchanged : ApplyResult.Confirmed, plan.IsEmpty ? "the network is as the site says" : "applied", plan);
        }
        Arm(deadline);
        LogPending(source, wanted.Describe(), deadline);
        return new ApplyOutcome(ApplyResult.Pending, $"applied; confirm by {deadline:u} (netbootpi confirm) or the last confirmed network comes back", plan, deadline);
    }

    /// <summary>Applies <paramref name="wanted"/> again after a failed step; the sentence saying how that went.</summary>
    private async Task<string> PutBackAsync(NetworkWanted wanted, CancellationToken cancellationToken)
    {
        try
        {
            await applier.ExecuteAsync(await applier.PlanAsync(RevertTarget(wanted), cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return "the network before it was put back";
        }
        catch (ApplyException e)
        {
            return $"putting the network before it back failed too: {e.Message}";
        }
    }

    /// <summary>What going back to <paramref name="wanted"/> means: with backend none or nothing confirmed, none of our files and no table of ours.</summary>
    private static NetworkWanted RevertTarget(NetworkWanted? wanted) =>
        wanted is null || wanted.Backend == Site.NetworkBackend.None ? NetworkWanted.Nothing : wanted;

    private async Task RevertLockedAsync(string why, CancellationToken cancellationToken)
    {
        if (_state.Pending is not { } pending) return;
        var target = RevertTarget(_state.Confirmed);
        try
        {
            await applier.ExecuteAsync(await applier.PlanAsync(target, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (ApplyException e)
        {
            // Kept pending: the next start (or deadline) tries again.
            LogRevertFailed(why, e.Message);
            return;
        }
        Save(new ConfirmState(_state.Confirmed, null, pending.Wanted));
        Disarm();
        var message = $"{why}: the last confirmed network is back ({target.Describe()})";
        LogReverted(message);
        Reverted?.Invoke(message);
    }

    private void Arm(DateTimeOffset deadline)
    {
        Disarm();
        var due = deadline - time.GetUtcNow();
        _timer = time.CreateTimer(_ => _ = ExpireAsync(), null, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    private void Disarm()
    {
        _timer?.Dispose();
        _timer = null;
    }

    private async Task ExpireAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_state.Pending is { } p)
            {
                // The timer runs on the monotonic clock, the deadline is wall time: a timer that fires before the
                // wall clock reaches the deadline (a VM's clock stepped, NTP slewing) waits for the rest of it
                // instead of forgetting the deadline, which would leave the change in place for good.
                if (p.Deadline <= time.GetUtcNow())
                    await RevertLockedAsync($"the change from {p.Source} was not confirmed by {p.Deadline:u}", CancellationToken.None).ConfigureAwait(false);
                else
                    Arm(p.Deadline);
            }
        }
        catch (Exception e)
        {
            // A timer callback has nobody to throw to.
            LogRevertFailed("the confirm deadline passed", e.Message);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Save(ConfirmState state)
    {
        store.Save(state);
        Volatile.Write(ref _state, state);
    }

    public ValueTask DisposeAsync()
    {
        Disarm();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "network ({Source}): {What} applied, {How}")]
    private partial void LogApplied(string source, string what, string how);

    [LoggerMessage(EventId = 701, Level = LogLevel.Warning, Message = "network ({Source}): {What} applied; confirm by {Deadline:u} (netbootpi confirm) or the last confirmed network comes back")]
    private partial void LogPending(string source, string what, DateTimeOffset deadline);

    [LoggerMessage(EventId = 702, Level = LogLevel.Information, Message = "network: the change from {Source} is confirmed: {What}")]
    private partial void LogConfirmed(string source, string what);

    [LoggerMessage(EventId = 703, Level = LogLevel.Warning, Message = "network: {Message}")]
    private partial void LogReverted(string message);

    [LoggerMessage(EventId = 704, Level = LogLevel.Error, Message = "network: {Why}, and putting the last confirmed network back failed: {Error}; it is tried again at the next start")]
    private partial void LogRevertFailed(string why, string error);

    [LoggerMessage(EventId = 705, Level = LogLevel.Error, Message = "network ({Source}): {Reason}; the network is unchanged")]
    private partial void LogRefused(string source, string reason);

    [LoggerMessage(EventId = 706, Level = LogLevel.Error, Message = "network ({Source}): {Message}")]
    private partial void LogFailed(string source, string message);

    [LoggerMessage(EventId = 707, Level = LogLevel.Warning, Message = "network ({Source}): {Message}")]
    private partial void LogNotRetried(string source, string message);
}
