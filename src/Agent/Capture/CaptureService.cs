using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Os.Tools;
using NetbootPi.Agent.Render.Capture;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Capture;

/// <summary>
/// The console host's screen (<c>kvm.capture</c>, docs/console.md): ustreamer in a transient systemd unit the agent
/// starts, stops and configures over D-Bus, serving on a unix socket the agent alone reads. Started with the agent
/// when the site asks for it, stopped with it; <c>capture start</c> starts it again with the site as it is now
/// (a changed <c>kvm.capture</c> after a reload), <c>capture stop</c> stops it. Before ustreamer starts, the EDID is
/// given to an HDMI input and the source's DV timings read (<c>v4l2-ctl</c>). A capture that cannot start does not
/// stop the agent: the log, the status line, a <c>capture</c> event and the API say why.
/// </summary>
public sealed partial class CaptureService(SiteState state, ISystemdManager systemd, IToolRunner tools, BootEventLog events, TimeProvider time,
    ILogger<CaptureService> logger, ServiceStatus? status = null, string socketPath = UstreamerUnit.SocketPath, string program = UstreamerUnit.DefaultProgram)
    : IHostedService, IDisposable
{
    public const string StatusPart = "capture";

    /// <summary>How long ustreamer may take to answer on its socket once its unit has started (it opens the device first).</summary>
    private static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(20);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private Task _starting = Task.CompletedTask;

    public UstreamerClient Client { get; } = new(socketPath);

    /// <summary>The settings the running capture was started with, or null when the agent has not started one (or stopped it).</summary>
    public CaptureSettings? Running { get; private set; }

    /// <summary>Why the last start failed, or null.</summary>
    public string? Failure { get; private set; }

    /// <summary>The source's DV timings as read at the last start (an HDMI input with dv_timings), or null.</summary>
    public DvTimings? Timings { get; private set; }

    /// <summary>Why no DV timings were read at the last start (no signal), or null.</summary>
    public string? Signal { get; private set; }

    /// <summary>The console host whose screen this is, or null when the site has no <c>kvm.capture</c>.</summary>
    public string? Host => state.Current.Kvm is { Capture: not null } kvm ? kvm.Host : null;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (state.Current.Kvm?.Capture is null) return Task.CompletedTask;
        // In the background: systemd and the device may take seconds, and the boot services need none of it.
        _starting = Task.Run(async () =>
        {
            try
            {
                await StartCaptureAsync("agent", _stopping.Token).ConfigureAwait(false);
            }
            catch (CaptureException)
            {
                // Failure, the log, the status line and an event say why.
            }
            catch (OperationCanceledException)
            {
                // The agent stops.
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _starting.ConfigureAwait(false);
        if (Running is null) return;
        try
        {
            await StopCaptureAsync("agent", cancellationToken).ConfigureAwait(false);
        }
        catch (CaptureException e)
        {
            LogStopFailed(e.Message);
        }
    }

    /// <summary>
    /// Starts the capture with the site's <c>kvm.capture</c> as it is now (a running one is stopped first): the
    /// input chosen, its EDID set and DV timings read where asked, then the unit, and waits for ustreamer to answer.
    /// </summary>
    /// <param name="who">Who asked, for the event: <c>uid:0</c>, <c>user:NAME</c>, <c>token:ID</c>, <c>agent</c>.</param>
    public async Task StartCaptureAsync(string who, CancellationToken cancellation)
    {
        await _gate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            var site = state.Current;
            if (site.Kvm is not { Capture: { } capture } kvm)
                throw new CaptureException("this box captures no screen: the site has no kvm.capture (kvm: { host: NAME, capture: { device: /dev/video0 } }; docs/console.md)");
            try
            {
                // The old capture goes first: a device that streams refuses another input (EBUSY).
                await StopUnitAsync(cancellation).ConfigureAwait(false);
                Running = null;
                await PrepareDeviceAsync(capture, cancellation).ConfigureAwait(false);
                try
                {
                    await systemd.StartTransientUnitAsync(UstreamerUnit.UnitName, UstreamerUnit.Properties(capture, kvm.Host, program), cancellation).ConfigureAwait(false);
                }
                catch (SystemdException e)
                {
                    throw new CaptureException($"the capture unit {UstreamerUnit.UnitName} did not start: {e.Message}", e);
                }
                await WaitForAnswerAsync(cancellation).ConfigureAwait(false);
            }
            catch (CaptureException e)
            {
                Failure = $"the capture of {kvm.Host}'s screen ({capture.Location}) cannot start: {e.Message}";
                LogStartFailed(Failure);
                status?.Set(StatusPart, Failure);
                Record(who, Failure, succeeded: false);
                throw new CaptureException(Failure, e);
            }
            Running = capture;
            Failure = null;
            status?.Set(StatusPart, null);
            var what = $"capture started: {capture.Describe()}{(Timings is { } t ? $"; the source sends {t}" : Signal is { } s ? $"; {s}" : "")}";
            LogStarted(kvm.Host, what);
            Record(who, what, succeeded: true);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops the capture unit (nothing when it does not run).</summary>
    public async Task StopCaptureAsync(string who, CancellationToken cancellation)
    {
        await _gate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            var was = await StopUnitAsync(cancellation).ConfigureAwait(false);
            Running = null;
            Timings = null;
            Signal = null;
            var what = was ? "capture stopped" : "capture stop: it was not running";
            LogStopped(Host ?? "", what);
            Record(who, what, succeeded: true);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The unit's state as systemd has it.</summary>
    public async Task<UnitState> UnitStateAsync(CancellationToken cancellation)
    {
        try
        {
            return await systemd.GetUnitStateAsync(UstreamerUnit.UnitName, cancellation).ConfigureAwait(false);
        }
        catch (SystemdException e)
        {
            throw new CaptureException(e.Message, e);
        }
    }

    /// <summary>The input, its EDID and the DV timings, before ustreamer opens the device.</summary>
    private async Task PrepareDeviceAsync(CaptureSettings capture, CancellationToken cancellation)
    {
        Timings = null;
        Signal = null;
        if (!File.Exists(capture.Device))
            throw new CaptureException($"there is no capture device {capture.Device} (is the HDMI capture stick plugged in? v4l2-ctl --list-devices; ls /dev/v4l/by-id)");
        var inputs = V4l2Ctl.ParseInputs((await RunAsync(V4l2Ctl.ListInputs(capture.Device), cancellation).ConfigureAwait(false)).Output);
        if (inputs.FirstOrDefault(i => i.Index == capture.Input) is not { } input)
            throw new CaptureException($"{capture.Device} has no input {capture.Input} (it has: {string.Join(", ", inputs.Select(i => $"{i.Index} {i.Name}"))}); set kvm.capture.input");
        if ((capture.Edid is not null || capture.DvTimings) && !input.HasDvTimings)
            throw new CaptureException($"input {input.Index} ({input.Name}) of {capture.Device} has no DV timings and takes no EDID (a UVC stick has its own): remove kvm.capture.edid and dv_timings");
        await RunAsync(V4l2Ctl.SetInput(capture.Device, capture.Input), cancellation).ConfigureAwait(false);
        if (capture.Edid is { } edid)
        {
            await RunAsync(V4l2Ctl.SetEdid(capture.Device, capture.Input, edid), cancellation).ConfigureAwait(false);
            LogEdid(capture.Device, capture.Input, capture.EdidFile ?? "", edid.Length);
        }
        if (capture.DvTimings)
        {
            var query = await tools.RunAsync(V4l2Ctl.QueryDvTimings(capture.Device), cancellation).ConfigureAwait(false);
            Timings = query.Succeeded ? V4l2Ctl.ParseDvTimings(query.Output) : null;
            // No signal is no error: the host may be off; ustreamer waits for one (--persistent, --dv-timings).
            if (Timings is null) Signal = $"no DV timings from the source yet ({(query.Errors.Trim() is { Length: > 0 } e ? e : query.Output.Trim())}): is the host on and its HDMI plugged in?";
        }
    }

    private async Task<ToolResult> RunAsync(ToolCall call, CancellationToken cancellation)
    {
        try
        {
            var r = await tools.RunAsync(call, cancellation).ConfigureAwait(false);
            return r.Succeeded ? r : throw new CaptureException(r.Describe());
        }
        catch (ToolException e)
        {
            throw new CaptureException($"{e.Message} (v4l2-ctl is in the v4l-utils package)", e);
        }
    }

    /// <summary>Stops the unit if systemd has it loaded; true when it ran.</summary>
    private async Task<bool> StopUnitAsync(CancellationToken cancellation)
    {
        try
        {
            var unit = await systemd.GetUnitStateAsync(UstreamerUnit.UnitName, cancellation).ConfigureAwait(false);
            if (unit.IsFailed)
            {
                await systemd.ResetFailedUnitAsync(UstreamerUnit.UnitName, cancellation).ConfigureAwait(false);
                return false;
            }
            if (unit.ActiveState is "inactive") return false;
            await systemd.StopUnitAsync(UstreamerUnit.UnitName, cancellation).ConfigureAwait(false);
            return true;
        }
        catch (SystemdException e)
        {
            throw new CaptureException($"cannot stop {UstreamerUnit.UnitName}: {e.Message}", e);
        }
    }

    private async Task WaitForAnswerAsync(CancellationToken cancellation)
    {
        var deadline = time.GetUtcNow() + AnswerWithin;
        while (true)
        {
            if (await Client.StateAsync(TimeSpan.FromSeconds(2), cancellation).ConfigureAwait(false) is not null) return;
            var unit = await systemd.GetUnitStateAsync(UstreamerUnit.UnitName, cancellation).ConfigureAwait(false);
            if (unit.ActiveState is "failed" or "inactive" || unit.LoadState == "not-found")
                throw new CaptureException($"ustreamer exited at once (the unit is {unit}; journalctl -u {UstreamerUnit.UnitName} says why)");
            if (time.GetUtcNow() >= deadline)
                throw new CaptureException($"ustreamer did not answer on {Client.SocketPath} within {AnswerWithin.TotalSeconds:0} s (the unit is {unit}; journalctl -u {UstreamerUnit.UnitName})");
            await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>A boot event of the console host, kind capture.</summary>
    public void Record(string who, string what, bool succeeded, long bytes = 0) =>
        events.Record(new BootEvent(time.GetUtcNow(), who, Host ?? state.Current.Kvm?.Host, BootEventKind.Capture, what, succeeded ? 0 : 1, bytes));

    public void Dispose()
    {
        _stopping.Dispose();
        _gate.Dispose();
        Client.Dispose();
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "capture: {Host}: {What}")]
    private partial void LogStarted(string host, string what);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Error, Message = "capture: {Failure}; the agent serves everything else (netbootpi capture start tries again)")]
    private partial void LogStartFailed(string failure);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "capture: {Host}: {What}")]
    private partial void LogStopped(string host, string what);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "capture: stopping the capture unit failed: {Reason}")]
    private partial void LogStopFailed(string reason);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Information, Message = "capture: the EDID of {File} ({Bytes} bytes) is set on input {Input} of {Device}")]
    private partial void LogEdid(string device, int input, string file, int bytes);
}
