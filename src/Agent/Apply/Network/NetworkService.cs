using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Apply.Network;

/// <summary>
/// The agent's own network, reconciled with the site the way <c>DhcpService</c> reconciles its sockets: at start
/// (after a change left pending by the last run is put back) and on every site reload, each time through
/// <see cref="NetworkChanges"/> (the guard and the confirm window). Refusals, failures and a pending deadline are
/// in the status line that <c>systemctl status</c> shows.
/// </summary>
public sealed partial class NetworkService(SiteState state, NetworkChanges changes, ServiceStatus status, NetworkServiceOptions options, ILogger<NetworkService> logger)
    : BackgroundService
{
    public const string StatusPart = "network";

    private readonly SemaphoreSlim _changed = new(0);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        changes.Reverted += OnReverted;
        Report(await changes.StartAsync(NetworkWanted.From(state.Current), options.ConfirmWithin, cancellationToken).ConfigureAwait(false));
        state.Changed += OnSiteChanged;
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await _changed.WaitAsync(stoppingToken).ConfigureAwait(false);
                Report(await changes.ApplyAsync(NetworkWanted.From(state.Current), options.ConfirmWithin, force: false, "reload", stoppingToken).ConfigureAwait(false));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: a pending change stays pending in the state file and is put back at the next start.
        }
        finally
        {
            state.Changed -= OnSiteChanged;
            changes.Reverted -= OnReverted;
        }
    }

    private void OnSiteChanged(SiteInventory site) => _changed.Release();

    private void OnReverted(string message) => status.Set(StatusPart, $"network: {message}");

    private void Report(ApplyOutcome outcome)
    {
        status.Set(StatusPart, StatusText(outcome));
        if (!outcome.Plan.IsEmpty) LogPlan(outcome.Result.ToString(), outcome.Plan.Render());
    }

    /// <summary>The status line's part for <paramref name="outcome"/>: null when there is nothing to say.</summary>
    public static string? StatusText(ApplyOutcome outcome) => outcome.Result switch
    {
        ApplyResult.Confirmed or ApplyResult.Unchanged => null,
        ApplyResult.Pending => $"network change pending: confirm by {outcome.Deadline:u} (netbootpi confirm)",
        _ => $"network: {outcome.Message}",
    };

    [LoggerMessage(EventId = 710, Level = LogLevel.Debug, Message = "network plan ({Result}):\n{Plan}")]
    private partial void LogPlan(string result, string plan);
}
