using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Os;
using NetbootPi.Agent.Os.Network;
using NetbootPi.Agent.Overlays;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Http;

/// <summary>
/// Kestrel inside the agent, started before the agent reports ready (so DHCP never points a machine at a
/// port that is not listening yet) and stopped with it. Kestrel runs as its own small web application that
/// shares the agent's logging and services; nothing but <see cref="BootHttpHandler"/> handles requests.
/// </summary>
/// <param name="address">The address to listen on at the site's <c>server.http_port</c> (every address: <see cref="IPAddress.Any"/>).</param>
/// <param name="listen">An address and port that replace both, for labs and tests.</param>
public sealed partial class BootHttpService(
    SiteState state, BootHttpHandler handler, ILoggerFactory loggerFactory, TimeProvider time, IPAddress address,
    HttpListenAddress? listen, ILogger<BootHttpService> logger)
    : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The addresses Kestrel actually listens on (with the real port when 0 was asked for).</summary>
    public IReadOnlyCollection<string> Addresses { get; private set; } = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var endpoint = listen?.EndPoint ?? new IPEndPoint(address, state.Current.Server.HttpPort);
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
            // A slow-loris client holds its own address's sockets, not the box's (docs/reliability.md).
            var cap = new ConnectionCap("http", ConnectionCap.DefaultPerAddress, logger);
            o.Listen(endpoint, l =>
            {
                cap.Use(l);
                SocketOutput.Use(l, time);
            });
        });
        _app = builder.Build();
        _app.Run(handler.HandleAsync);
        try
        {
            await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            // Kestrel wraps the socket's refusal ("address already in use") in an IOException of its own words.
            throw ListenFailedException.From("HTTP", endpoint, ex.InnerException ?? ex);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            throw ListenFailedException.From("HTTP", endpoint, ex);
        }
        Addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        LogListening(string.Join(", ", Addresses));
        // The port is bound once; boot URLs that named another port after a reload would point nowhere.
        if (listen is null)
            state.RequireUnchangedOnReload("server.http_port", s => s.Server.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"the HTTP server listens on port {endpoint.Port} and boot URLs must name the port it listens on");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null) await _app.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync().ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "http listening on {Addresses}")]
    private partial void LogListening(string addresses);

}
