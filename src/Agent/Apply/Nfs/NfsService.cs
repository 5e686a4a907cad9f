using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Apply.Nfs;

/// <summary>
/// The box's NFS exports, reconciled with the site at start and on every reload (<c>netbootpi run --manage-nfs</c>).
/// A failure is logged and shown in the status line; the agent keeps serving, and the next reload tries again.
/// </summary>
public sealed partial class NfsService(SiteState state, NfsApplier applier, ServiceStatus status, ILogger<NfsService> logger) : BackgroundService
{
    public const string StatusPart = "nfs";

    private readonly SemaphoreSlim _changed = new(0);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await ApplyAsync("start", cancellationToken).ConfigureAwait(false);
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
                await ApplyAsync("reload", stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the exports stay as they are; nfsd serves them without the agent.
        }
        finally
        {
            state.Changed -= OnSiteChanged;
        }
    }

    private void OnSiteChanged(SiteInventory site) => _changed.Release();

    private async Task ApplyAsync(string why, CancellationToken cancellationToken)
    {
        try
        {
            var plan = await applier.PlanAsync(NfsWanted.From(state.Current), cancellationToken).ConfigureAwait(false);
            if (plan.IsEmpty)
            {
                status.Set(StatusPart, null);
                return;
            }
            await applier.ExecuteAsync(plan, cancellationToken).ConfigureAwait(false);
            LogApplied(why, plan.Render());
            status.Set(StatusPart, null);
        }
        catch (ApplyException e)
        {
            LogFailed(why, e.Message);
            status.Set(StatusPart, $"nfs exports: {e.Message}");
        }
    }

    [LoggerMessage(EventId = 760, Level = LogLevel.Information, Message = "nfs exports applied ({Why}):\n{Plan}")]
    private partial void LogApplied(string why, string plan);

    [LoggerMessage(EventId = 761, Level = LogLevel.Error, Message = "nfs exports not applied ({Why}): {Reason}; the exports are as they were")]
    private partial void LogFailed(string why, string reason);
}
