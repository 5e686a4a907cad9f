using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Health;
using NetbootPi.Agent.Os;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Hardware.Watchdog;

namespace NetbootPi.Agent.Devices;

/// <summary>
/// Pets the watchdogs the agent answers to, and only while every health check passes: systemd's (WatchdogSec= in
/// the unit: WATCHDOG=1 at half its interval) and, in direct mode, a watchdog device the agent holds itself
/// (<c>run --watchdog-device</c>: petted at a third of its timeout). A failing check stops the petting and says why
/// in the log and the status line on every tick, so the journal holds the reason when systemd kills the agent or the
/// board resets. A clean stop disarms the device with the magic close where the driver allows it.
/// </summary>
public sealed partial class WatchdogService(
    HealthMonitor health, SystemdNotifier notifier, ServiceStatus status, TimeProvider time, WatchdogOptions options,
    ILogger<WatchdogService> logger) : IHostedService, IDisposable
{
    public const string StatusPart = "health";

    private readonly Lock _tick = new();
    private IWatchdog? _device;
    private ITimer? _timer;
    private bool _petSystemd;
    private bool _failing;

    /// <summary>How often the checks run and the watchdogs are petted; null when there is no watchdog to pet.</summary>
    public TimeSpan? Period { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (FaultHooks.Active is { } fault) LogFault(FaultHooks.EnvironmentVariable, fault);
        TimeSpan? period = null;
        if (notifier.IsEnabled && options.SystemdInterval is { } systemd)
        {
            _petSystemd = true;
            period = systemd / 2;
            LogSystemd(systemd.TotalSeconds);
        }
        if (options.Device is { } path)
        {
            try
            {
                _device = options.Open(path);
                var timeout = _device.SetTimeout(options.DeviceTimeout);
                period = Min(period, timeout / 3);
                LogArmed(path, _device.Info.Identity, timeout.TotalSeconds, _device.Info.HasMagicClose ? "a clean stop disarms it" : "the driver has no magic close: a clean stop closes it, which stops it unless the driver says otherwise");
            }
            catch (WatchdogException e)
            {
                _device?.Dispose();
                _device = null;
                throw new ServiceStartException($"the watchdog cannot be used: {e.Message}", e);
            }
        }
        Period = period;
        if (period is { } p)
        {
            // Checked and petted at once: the first pet must not wait a whole period after the device was armed.
            Tick();
            _timer = time.CreateTimer(_ => Tick(), null, p, p);
        }
        return Task.CompletedTask;
    }

    private static TimeSpan Min(TimeSpan? a, TimeSpan b) => a is { } x && x < b ? x : b;

    /// <summary>One round: the checks, then the pets if they passed. Public for tests on a fake clock.</summary>
    public void Tick()
    {
        // A round still running (a check stuck on a dead disk) is not overtaken: the watchdog then fires, as it should.
        if (!_tick.TryEnter()) return;
        try
        {
            var problems = health.Check();
            if (problems.Count == 0)
            {
                if (_petSystemd) notifier.Watchdog();
                _device?.Keepalive();
                if (_failing)
                {
                    _failing = false;
                    status.Set(StatusPart, null);
                    LogRecovered();
                }
                return;
            }
            _failing = true;
            var since = health.FailingSince ?? time.GetUtcNow();
            var text = string.Join("; ", problems);
            var seconds = (time.GetUtcNow() - since).TotalSeconds;
            status.Set(StatusPart, $"unhealthy for {seconds:0} s, the watchdog is not petted: {text}");
            LogNotPetting(seconds, text);
        }
        catch (Exception e) when (e is WatchdogException or IOException)
        {
            LogPetFailed(e.Message);
        }
        finally
        {
            _tick.Exit();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        _timer = null;
        lock (_tick)
        {
            if (_device is { } dog && options.Device is { } path)
            {
                _device = null;
                if (dog.Disarm() == WatchdogRelease.Stopped) LogDisarmed(path);
                else LogStillRunning(path, dog.Timeout.TotalSeconds);
            }
        }
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _timer?.Dispose();
        // Not a clean stop (the host was disposed without stopping): closed as a crash would close it.
        _device?.Dispose();
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "watchdog: systemd expects a sign of life every {Seconds} s (WatchdogSec=); given while the health checks pass")]
    private partial void LogSystemd(double seconds);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "watchdog: {Device} ({Identity}) armed, {Seconds} s; petted while the health checks pass; {Stop}")]
    private partial void LogArmed(string device, string identity, double seconds, string stop);

    [LoggerMessage(EventId = 22, Level = LogLevel.Error, Message = "watchdog: not petting, unhealthy for {Seconds:0} s: {Problems}")]
    private partial void LogNotPetting(double seconds, string problems);

    [LoggerMessage(EventId = 23, Level = LogLevel.Information, Message = "watchdog: the health checks pass again; petting")]
    private partial void LogRecovered();

    [LoggerMessage(EventId = 24, Level = LogLevel.Error, Message = "watchdog: the pet failed: {Reason}")]
    private partial void LogPetFailed(string reason);

    [LoggerMessage(EventId = 25, Level = LogLevel.Information, Message = "watchdog: {Device} disarmed (magic close)")]
    private partial void LogDisarmed(string device);

    [LoggerMessage(EventId = 27, Level = LogLevel.Warning, Message = "{Variable}={Fault} is set: a fault is switched on for a test; never on a box")]
    private partial void LogFault(string variable, string fault);

    [LoggerMessage(EventId = 26, Level = LogLevel.Warning, Message = "watchdog: {Device} cannot be stopped (the driver has nowayout): the board resets in {Seconds} s unless something pets it")]
    private partial void LogStillRunning(string device, double seconds);
}
