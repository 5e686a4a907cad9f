using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Overlays;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Http;

/// <summary>
/// Kestrel inside the agent, started before the agent reports ready (so DHCP never points a machine at a
/// port that is not listening yet) and stopped with it. Kestrel runs as its own small web application that
/// shares the agent's logging and services; nothing but <see cref="BootHttpHandler"/> handles requests.
/// </summary>
public sealed partial class BootHttpService(
    SiteState state, BootHttpHandler handler, ILoggerFactory loggerFactory, TimeProvider time, HttpListenAddress? listen, ILogger<BootHttpService> logger)
    : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The addresses Kestrel actually listens on (with the real port when 0 was asked for).</summary>
    public IReadOnlyCollection<string> Addresses { get; private set; } = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var endpoint = listen?.EndPoint ?? new IPEndPoint(IPAddress.Any, state.Current.Server.HttpPort);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "netbootpi" });
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        // The agent's host owns signals and lifetime messages; the embedded app must not handle SIGTERM itself.
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        builder.WebHost.UseKestrelCore();
        // A request runs on the thread its bytes arrived on instead of being queued to another. On Linux that is
        // already a thread-pool thread (the runtime's epoll thread hands completions off), so a handler that
        // blocks holds a pool thread either way: the "unsafe" of the name is about Windows' I/O threads.
        // 4 KiB files under wrk: 57k to 66k requests/s here (bench/http.sh, 2026-12-02).
        builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);
        builder.WebHost.ConfigureKestrel(o =>
        {
            o.AddServerHeader = false;
            o.Limits.MaxRequestBodySize = OverlayStore.MaxCompressedBytes;
            o.Listen(endpoint, l => SocketOutput.Use(l, time));
        });
        _app = builder.Build();
        _app.Run(handler.HandleAsync);
        try
        {
            await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            LogCannotListen(endpoint.ToString(), ex.Message);
            throw;
        }
        Addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        LogListening(string.Join(", ", Addresses));
        state.Changed += WarnIfPortChanged;
    }

    private void WarnIfPortChanged(Site.SiteInventory site)
    {
        if (listen is null && Addresses.Count > 0 && !Addresses.Any(a => a.EndsWith($":{site.Server.HttpPort}", StringComparison.Ordinal)))
            LogPortNeedsRestart(site.Server.HttpPort, string.Join(", ", Addresses));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        state.Changed -= WarnIfPortChanged;
        if (_app is not null) await _app.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "http listening on {Addresses}")]
    private partial void LogListening(string addresses);

    [LoggerMessage(EventId = 101, Level = LogLevel.Critical, Message = "http cannot listen on {EndPoint}: {Reason} (is another web server using the port? see server.http_port)")]
    private partial void LogCannotListen(string endPoint, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "server.http_port is now {Port} but http still listens on {Addresses}: restart the agent to move it")]
    private partial void LogPortNeedsRestart(int port, string addresses);
}
