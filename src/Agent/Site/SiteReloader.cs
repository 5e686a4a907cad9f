using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Site;

/// <summary>
/// SIGHUP reloads the site file: a valid file replaces the snapshot; an invalid one is reported, in the log and in
/// systemd's status line until a good file arrives, and the running site stays.
/// </summary>
public sealed partial class SiteReloader(SiteState state, ServiceStatus status, ILogger<SiteReloader> logger) : IHostedService
{
    public const string StatusPart = "reload";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private PosixSignalRegistration? _registration;

    /// <summary>Busy while a reload runs, for the health checks the watchdog pets under: a reload that hangs shows.</summary>
    public LoopProgress Progress { get; } = new("site reloader");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true; // handled: SIGHUP must not end the process
            _ = Task.Run(() => Reload());
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _registration?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A reload refused the file (its path, every error); the running site stays. Alerts listen; handlers must return at once.</summary>
    public event Action<string, IReadOnlyList<SiteError>>? Rejected;

    /// <summary>Reads the site file again (SIGHUP, <c>netbootpi reload</c>); the result says whether it replaced the running site.</summary>
    public SiteLoadResult Reload()
    {
        // Signals can arrive back to back; reloads run one at a time so the last file read wins.
        _gate.Wait();
        Progress.Busy();
        try
        {
            status.Reloading();
            var result = state.Reload();
            if (result.Inventory is { } site)
            {
                LogReloaded(state.Path, site.Networks.Length, site.Hosts.Length, site.Profiles.Length);
                status.Set(StatusPart, null);
            }
            else
            {
                foreach (var e in result.Errors) LogReloadError(e.ToString());
                LogKeptRunning(state.Path, result.Errors.Count);
                var count = result.Errors.Count == 1 ? "1 error" : $"{result.Errors.Count} errors";
                status.Set(StatusPart, $"reload rejected ({count}; the first: {result.Errors[0]}); the running site is unchanged");
                Rejected?.Invoke(state.Path, result.Errors);
            }
            return result;
        }
        finally
        {
            // READY=1 ends the reload for systemd whatever happened: Type=notify-reload waits for it.
            status.Ready();
            Progress.Idle();
            _gate.Release();
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "site reloaded from {Path}: {Networks} networks, {Hosts} hosts, {Profiles} profiles")]
    private partial void LogReloaded(string path, int networks, int hosts, int profiles);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "{Error}")]
    private partial void LogReloadError(string error);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "reload of {Path} rejected ({Count} errors); the running site is unchanged")]
    private partial void LogKeptRunning(string path, int count);
}
