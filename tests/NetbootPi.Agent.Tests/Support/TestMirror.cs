using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace NetbootPi.Agent.Tests.Support;

/// <summary>A local HTTP server on 127.0.0.1 playing an upstream mirror; it can be told to die half way.</summary>
internal sealed class TestMirror : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public TestMirror()
    {
        // HttpListener cannot pick a port itself: take a free one from the kernel first.
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}";
    public ConcurrentDictionary<string, byte[]> Files { get; } = new();
    public ConcurrentBag<string> Requests { get; } = [];

    /// <summary>When set, the mirror announces the full length, sends half, and drops the connection.</summary>
    public volatile bool DieHalfWay;

    /// <summary>Released to let held responses go on (to have requests overlap).</summary>
    public SemaphoreSlim? Gate;

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => Serve(ctx));
        }
    }

    private async Task Serve(HttpListenerContext ctx)
    {
        var path = ctx.Request.Url!.AbsolutePath;
        Requests.Add(path);
        if (Gate is { } gate) await gate.WaitAsync();
        if (!Files.TryGetValue(path, out var body))
        {
            ctx.Response.StatusCode = 404;
            ctx.Response.Close();
            return;
        }
        ctx.Response.ContentLength64 = body.Length;
        try
        {
            if (DieHalfWay)
            {
                await ctx.Response.OutputStream.WriteAsync(body.AsMemory(0, body.Length / 2));
                await ctx.Response.OutputStream.FlushAsync();
                ctx.Response.Abort();
                return;
            }
            await ctx.Response.OutputStream.WriteAsync(body);
            ctx.Response.Close();
        }
        catch (HttpListenerException)
        {
            // the client went away
        }
    }

    public void Dispose()
    {
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(10));
    }
}
