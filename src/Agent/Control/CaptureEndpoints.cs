using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Capture;
using NetbootPi.Agent.Render.Capture;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Control;

/// <summary>
/// The console host's screen on the control API (docs/console.md): the capture's status, its live snapshot and MJPEG
/// stream (ustreamer's, read on its unix socket and served behind the API's own auth) and the snapshots kept with the
/// host's events for viewers; start and stop for operators. Without <c>kvm.capture</c> in the site every route but the
/// list of kept snapshots answers 409 saying so.
/// </summary>
public sealed class CaptureEndpoints(SiteState state, CaptureService capture, CaptureSnapshots snapshots) : IControlEndpoints
{
    public const string StatusPath = "/api/v1/capture";
    public const string StartPath = "/api/v1/capture/start";
    public const string StopPath = "/api/v1/capture/stop";
    public const string SnapshotPath = "/api/v1/capture/snapshot";
    public const string StreamPath = "/api/v1/capture/stream";
    public const string SnapshotsPath = "/api/v1/capture/snapshots";
    public const string SnapshotFilePath = "/api/v1/capture/snapshots/file";

    private static readonly TimeSpan SnapshotTime = TimeSpan.FromSeconds(5);

    public IEnumerable<ControlRoute> Routes =>
    [
        new("GET", StatusPath, ControlRole.Viewer, Changes: false, StatusAsync)
        {
            Summary = "The console host's screen capture: the site's settings, the ustreamer unit's state, the source's DV timings or why none, why the last start failed, and what ustreamer captures.",
            Reply = CaptureJson.Default.CaptureStatusReply,
        },
        new("POST", StartPath, ControlRole.Operator, Changes: true, StartAsync)
        {
            HostOf = HostOf,
            Summary = "Starts the capture with the site's kvm.capture as it is now (a running one is stopped first): the input, its EDID and DV timings through v4l2-ctl, then ustreamer's transient unit; answers once ustreamer serves.",
            Reply = CaptureJson.Default.CaptureDoneReply,
        },
        new("POST", StopPath, ControlRole.Operator, Changes: true, StopAsync)
        {
            HostOf = HostOf,
            Summary = "Stops the capture: ustreamer's unit is stopped and, being transient, gone.",
            Reply = CaptureJson.Default.CaptureDoneReply,
        },
        new("GET", SnapshotPath, ControlRole.Viewer, Changes: false, SnapshotAsync)
        {
            Summary = "The console host's screen now: ustreamer's last frame as a JPEG.",
            ReplyMediaType = "image/jpeg",
        },
        new("GET", StreamPath, ControlRole.Viewer, Changes: false, StreamAsync)
        {
            Summary = "The console host's screen as an MJPEG stream (multipart/x-mixed-replace, ustreamer's) for as long as the client reads it.",
            ReplyMediaType = "multipart/x-mixed-replace",
        },
        new("GET", SnapshotsPath, ControlRole.Viewer, Changes: false, SnapshotsAsync)
        {
            Summary = "The snapshots kept with the console host's events (after a power-on, before a recovery cycle), oldest first: name, bytes, time.",
            Reply = CaptureJson.Default.SnapshotReplyArray,
        },
        new("GET", SnapshotFilePath, ControlRole.Viewer, Changes: false, SnapshotFileAsync)
        {
            Summary = "One kept snapshot, as a JPEG (its name as the capture event and the list give it).",
            Query = [new("name", true, "the snapshot's name, like 20261207T101500.000Z-napalm-power-on.jpg")],
            ReplyMediaType = "image/jpeg",
        },
    ];

    private string? HostOf(HttpContext context) => state.Current.Kvm?.Host;

    private async Task<bool> UnavailableAsync(HttpContext context)
    {
        if (state.Current.Kvm?.Capture is not null) return false;
        await ControlService.ReplyAsync(context, StatusCodes.Status409Conflict,
            "this box captures no screen: the site has no kvm.capture (kvm: { host: NAME, capture: { device: /dev/video0 } }; docs/console.md)").ConfigureAwait(false);
        return true;
    }

    private async Task StatusAsync(HttpContext context, ControlCaller caller)
    {
        if (await UnavailableAsync(context).ConfigureAwait(false)) return;
        CaptureStatusReply reply;
        try
        {
            reply = await StatusReplyAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (CaptureException e)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status503ServiceUnavailable, e.Message).ConfigureAwait(false);
            return;
        }
        await ControlService.WriteAsync(context, StatusCodes.Status200OK, reply, CaptureJson.Default.CaptureStatusReply).ConfigureAwait(false);
    }

    private async Task<CaptureStatusReply> StatusReplyAsync(CancellationToken cancellation)
    {
        var kvm = state.Current.Kvm!;
        var settings = kvm.Capture!;
        var unit = await capture.UnitStateAsync(cancellation).ConfigureAwait(false);
        var running = capture.Running;
        UstreamerReply? ustreamer = null;
        if (unit.IsActive && await capture.Client.StateAsync(TimeSpan.FromSeconds(2), cancellation).ConfigureAwait(false) is { } us)
            ustreamer = new UstreamerReply($"{us.Width}x{us.Height}", us.Online, us.DesiredFps, us.CapturedFps, us.Clients);
        return new CaptureStatusReply(kvm.Host, settings.Device, settings.Input, $"{settings.Width}x{settings.Height}", settings.Fps, settings.Format,
            // Running: the agent's own capture, started and answering (not merely a unit that is up: during a start,
            // or one left by an agent that crashed, the unit runs and the agent has not made it its own yet).
            settings.EdidFile, settings.DvTimings, UstreamerUnit.UnitName, unit.ToString(), running is not null && unit.IsActive,
            running is not null && running.Describe() == settings.Describe() && SameEdid(running, settings),
            capture.Timings?.ToString(), capture.Signal, capture.Failure, ustreamer);
    }

    private static bool SameEdid(CaptureSettings a, CaptureSettings b) =>
        a.Edid is null ? b.Edid is null : b.Edid is not null && a.Edid.AsSpan().SequenceEqual(b.Edid);

    private async Task StartAsync(HttpContext context, ControlCaller caller)
    {
        if (await UnavailableAsync(context).ConfigureAwait(false)) return;
        try
        {
            await capture.StartCaptureAsync(caller.EventClient, context.RequestAborted).ConfigureAwait(false);
            var status = await StatusReplyAsync(context.RequestAborted).ConfigureAwait(false);
            await ControlService.WriteAsync(context, StatusCodes.Status200OK,
                new CaptureDoneReply($"capture started: {capture.Running?.Describe()}", status), CaptureJson.Default.CaptureDoneReply).ConfigureAwait(false);
        }
        catch (CaptureException e)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status422UnprocessableEntity, e.Message).ConfigureAwait(false);
        }
    }

    private async Task StopAsync(HttpContext context, ControlCaller caller)
    {
        if (await UnavailableAsync(context).ConfigureAwait(false)) return;
        try
        {
            await capture.StopCaptureAsync(caller.EventClient, context.RequestAborted).ConfigureAwait(false);
            var status = await StatusReplyAsync(context.RequestAborted).ConfigureAwait(false);
            await ControlService.WriteAsync(context, StatusCodes.Status200OK,
                new CaptureDoneReply("capture stopped", status), CaptureJson.Default.CaptureDoneReply).ConfigureAwait(false);
        }
        catch (CaptureException e)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status422UnprocessableEntity, e.Message).ConfigureAwait(false);
        }
    }

    private async Task SnapshotAsync(HttpContext context, ControlCaller caller)
    {
        if (await UnavailableAsync(context).ConfigureAwait(false)) return;
        byte[] jpeg;
        try
        {
            jpeg = await capture.Client.SnapshotAsync(SnapshotTime, context.RequestAborted).ConfigureAwait(false);
        }
        catch (CaptureException e)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status503ServiceUnavailable, e.Message).ConfigureAwait(false);
            return;
        }
        await WriteJpegAsync(context, jpeg).ConfigureAwait(false);
    }

    private async Task StreamAsync(HttpContext context, ControlCaller caller)
    {
        if (await UnavailableAsync(context).ConfigureAwait(false)) return;
        HttpResponseMessage upstream;
        try
        {
            upstream = await capture.Client.StreamAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (CaptureException e)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status503ServiceUnavailable, e.Message).ConfigureAwait(false);
            return;
        }
        using (upstream)
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = UstreamerClient.ContentType(upstream);
            context.Response.Headers.CacheControl = "no-store";
            var buffer = new byte[64 * 1024];
            try
            {
                // Until the client goes (its abort cancels the read) or ustreamer ends the stream; leaving disposes the
                // upstream response, so ustreamer sees its client gone too.
                var body = await upstream.Content.ReadAsStreamAsync(context.RequestAborted).ConfigureAwait(false);
                int n;
                while ((n = await body.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false)) > 0)
                {
                    await context.Response.Body.WriteAsync(buffer.AsMemory(0, n), context.RequestAborted).ConfigureAwait(false);
                    await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away.
            }
            catch (IOException)
            {
                // One side's connection broke.
            }
        }
    }

    private async Task SnapshotsAsync(HttpContext context, ControlCaller caller)
    {
        var list = snapshots.List().Select(s => new SnapshotReply(s.Name, s.Bytes, s.Time)).ToArray();
        await ControlService.WriteAsync(context, StatusCodes.Status200OK, list, CaptureJson.Default.SnapshotReplyArray).ConfigureAwait(false);
    }

    private async Task SnapshotFileAsync(HttpContext context, ControlCaller caller)
    {
        var name = context.Request.Query["name"].ToString();
        if (name.Length == 0)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status400BadRequest, "name is missing: give a snapshot's name (GET /api/v1/capture/snapshots lists them)").ConfigureAwait(false);
            return;
        }
        if (snapshots.Find(name) is not { } path)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status404NotFound, $"no snapshot named {name} in {snapshots.Folder} (GET /api/v1/capture/snapshots lists them)").ConfigureAwait(false);
            return;
        }
        byte[] jpeg;
        try
        {
            jpeg = await File.ReadAllBytesAsync(path, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status404NotFound, $"snapshot {name} cannot be read: {e.Message}").ConfigureAwait(false);
            return;
        }
        await WriteJpegAsync(context, jpeg).ConfigureAwait(false);
    }

    private static async Task WriteJpegAsync(HttpContext context, byte[] jpeg)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "image/jpeg";
        context.Response.ContentLength = jpeg.Length;
        await context.Response.Body.WriteAsync(jpeg, context.RequestAborted).ConfigureAwait(false);
    }
}
