using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Events;

namespace NetbootPi.Agent.Control;

/// <summary>
/// The boot events on the control API (both take <c>?host=NAME</c> and <c>?kind=KIND</c>, e.g. <c>audit</c>). <c>GET /api/v1/events</c>: the recent ones (the in-memory ring,
/// oldest first, as the log's JSON lines in an array). <c>GET /api/v1/events/stream</c>: server-sent
/// events, one <c>data:</c> line per event as it is recorded, a comment every 15 s to keep proxies from closing it.
/// A client that cannot keep up loses events, told by a <c>: dropped N</c> comment: the box never waits for it.
/// </summary>
public sealed class EventEndpoints(BootEventLog events, TimeProvider time) : IControlEndpoints
{
    public const string RecentPath = "/api/v1/events";
    public const string StreamPath = "/api/v1/events/stream";
    private const int StreamQueue = 1024;
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public IEnumerable<ControlRoute> Routes =>
    [
        new("GET", RecentPath, ControlRole.Viewer, Changes: false, RecentAsync)
        {
            Summary = "The recent boot events (the agent's in-memory ring, oldest first): DHCP, fetches, power, recovery, consoles, images, alerts and the audit of changes; as an array of the event log's JSON objects.",
            Query = [new("host", false, "only this host's events (its name, or the MAC of a machine the site does not know)"), KindQuery],
        },
        new("GET", StreamPath, ControlRole.Viewer, Changes: false, StreamAsync)
        {
            Summary = "Boot events as they happen, as server-sent events (text/event-stream): a data: line per event; a client too slow loses events and is told how many.",
            Query = [new("host", false, "only this host's events"), KindQuery],
        },
    ];

    private static readonly ControlQuery KindQuery = new("kind", false,
        "only events of this kind: " + string.Join(", ", Enum.GetValues<BootEventKind>().Select(BootEvent.KindName)));

    private static string? HostOf(HttpContext context) => context.Request.Query["host"].ToString() is { Length: > 0 } h ? h : null;

    /// <summary>The <c>kind</c> asked for (null: every kind); false after answering 400 for one that does not exist.</summary>
    private static async Task<(bool Ok, BootEventKind? Kind)> KindOfAsync(HttpContext context)
    {
        if (context.Request.Query["kind"].ToString() is not { Length: > 0 } name) return (true, null);
        if (BootEvent.ParseKind(name) is { } kind) return (true, kind);
        await ControlService.ReplyAsync(context, StatusCodes.Status400BadRequest,
            $"kind '{name}' is not a kind of event; the kinds: {string.Join(", ", Enum.GetValues<BootEventKind>().Select(BootEvent.KindName))}").ConfigureAwait(false);
        return (false, null);
    }

    private static bool Matches(BootEvent e, string? host, BootEventKind? kind) =>
        (host is null || string.Equals(e.Host, host, StringComparison.OrdinalIgnoreCase)) && (kind is null || e.Kind == kind);

    private async Task RecentAsync(HttpContext context, ControlCaller caller)
    {
        var host = HostOf(context);
        if (await KindOfAsync(context).ConfigureAwait(false) is not (true, var kind)) return;
        var body = new MemoryStream();
        body.WriteByte((byte)'[');
        var first = true;
        foreach (var e in events.Recent(host))
        {
            if (!Matches(e, host, kind)) continue;
            if (!first) body.WriteByte((byte)',');
            first = false;
            var line = BootEventLog.Serialize(e);
            body.Write(line, 0, line.Length - 1);
        }
        body.WriteByte((byte)']');
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(body.GetBuffer().AsMemory(0, (int)body.Length), context.RequestAborted).ConfigureAwait(false);
    }

    private async Task StreamAsync(HttpContext context, ControlCaller caller)
    {
        var host = HostOf(context);
        if (await KindOfAsync(context).ConfigureAwait(false) is not (true, var kind)) return;
        var queue = Channel.CreateBounded<BootEvent>(new BoundedChannelOptions(StreamQueue) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
        long dropped = 0;
        void OnRecorded(BootEvent e)
        {
            // Called on the recording thread (a DHCP loop among them): never wait for this client.
            if (Matches(e, host, kind) && !queue.Writer.TryWrite(e)) Interlocked.Increment(ref dropped);
        }
        events.Recorded += OnRecorded;
        try
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            var output = context.Response.Body;
            await output.WriteAsync(": netbootpi boot events\n\n"u8.ToArray(), context.RequestAborted).ConfigureAwait(false);
            await output.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            while (!context.RequestAborted.IsCancellationRequested)
            {
                using var wait = new CancellationTokenSource(KeepAlive, time);
                using var either = CancellationTokenSource.CreateLinkedTokenSource(wait.Token, context.RequestAborted);
                var more = false;
                try
                {
                    more = await queue.Reader.WaitToReadAsync(either.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
                {
                    await output.WriteAsync(": keep-alive\n\n"u8.ToArray(), context.RequestAborted).ConfigureAwait(false);
                }
                if (Interlocked.Exchange(ref dropped, 0) is var lost and > 0)
                    await output.WriteAsync(Encoding.ASCII.GetBytes($": dropped {lost}\n\n"), context.RequestAborted).ConfigureAwait(false);
                while (more && queue.Reader.TryRead(out var e))
                {
                    var line = BootEventLog.Serialize(e);
                    await output.WriteAsync("data: "u8.ToArray(), context.RequestAborted).ConfigureAwait(false);
                    await output.WriteAsync(line.AsMemory(0, line.Length - 1), context.RequestAborted).ConfigureAwait(false);
                    await output.WriteAsync("\n\n"u8.ToArray(), context.RequestAborted).ConfigureAwait(false);
                }
                await output.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (IOException)
        {
            // The connection broke under a write.
        }
        finally
        {
            events.Recorded -= OnRecorded;
        }
    }
}
