using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using NetbootPi.Agent.Http;

namespace NetbootPi.Agent.Tests.Http;

/// <summary>
/// FileResponse behind Kestrel with <see cref="SocketOutput"/> in front, in process, so the test can see which
/// way each body went: large bodies by sendfile (whole and ranged), small ones through Kestrel's pipe.
/// </summary>
public sealed class SendFileKestrelTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("netbootpi-kestrel-").FullName;
    private readonly byte[] _large = new byte[3 * 1024 * 1024 + 5];
    private readonly byte[] _small = new byte[4096];
    private readonly List<(string Path, long FilesSent)> _seen = [];
    private WebApplication? _app;
    private HttpClient? _client;

    public async ValueTask InitializeAsync()
    {
        new Random(11).NextBytes(_large);
        new Random(12).NextBytes(_small);
        File.WriteAllBytes(Path.Combine(_root, "large"), _large);
        File.WriteAllBytes(Path.Combine(_root, "small"), _small);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0, l => SocketOutput.Use(l, TimeProvider.System)));
        _app = builder.Build();
        _app.Run(async ctx =>
        {
            var name = ctx.Request.Path.Value!.TrimStart('/');
            Assert.Equal(FileRefusal.None, SafeFiles.TryOpen(_root, name, out var file));
            using (file.Handle) await FileResponse.SendAsync(ctx, file, "application/octet-stream");
            lock (_seen) _seen.Add((name, SocketOutput.Of(ctx)?.FilesSent ?? -1));
        });
        await _app.StartAsync(TestContext.Current.CancellationToken);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _client = new HttpClient { BaseAddress = new Uri(address) };
    }

    [Fact]
    public async Task Large_bodies_go_by_sendfile_and_small_ones_do_not_on_one_connection()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(_large, await _client!.GetByteArrayAsync("/large", ct));
        Assert.Equal(_small, await _client.GetByteArrayAsync("/small", ct));
        using var ranged = new HttpRequestMessage(HttpMethod.Get, "/large");
        ranged.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(1_000_001, 2_500_000);
        using var response = await _client.SendAsync(ranged, ct);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(_large.AsSpan(1_000_001, 1_500_000).ToArray(), await response.Content.ReadAsByteArrayAsync(ct));

        // One connection throughout (HttpClient keeps it): its count went up for the large bodies only.
        Assert.Equal([("large", 1L), ("small", 1L), ("large", 2L)], _seen);
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_app is not null) await _app.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}
