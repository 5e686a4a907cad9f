using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace NetbootPi.Agent.Tests.Support;

/// <summary>
/// A Kestrel web server in the test process playing the places images are downloaded from, on two loopback
/// addresses (127.0.0.2, which the test site allows, and 127.0.0.1, which it does not). Paths:
/// <c>/files/NAME</c> the bytes with Range and a strong ETag; <c>/drop-once/NAME</c> the first GET announces the
/// whole length, sends half and drops the connection, later ones honour Range; <c>/redirect/N/NAME</c> N redirects,
/// then the file; <c>/to-loopback/NAME</c> a redirect to the file on 127.0.0.1; <c>/endless</c> bytes without end
/// or length; <c>/no-range/NAME</c> the file, ignoring Range; <c>/drop-once-no-range/NAME</c> drops the first answer
/// half way, then sends the whole file whatever Range asks.
/// </summary>
internal sealed class ImageOrigin : IAsyncDisposable
{
    private readonly WebApplication _app;

    public ConcurrentDictionary<string, byte[]> Files { get; } = new();

    /// <summary>Every request as "PATH RANGE" (RANGE "-" when none), in order of arrival.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    private readonly ConcurrentDictionary<string, bool> _dropped = new();

    private ImageOrigin(WebApplication app) => _app = app;

    public string Allowed { get; private set; } = "";
    public string Loopback { get; private set; } = "";

    /// <summary>HTTPS on 127.0.0.2 with a self-signed certificate.</summary>
    public string Untrusted { get; private set; } = "";

    public static async Task<ImageOrigin> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.UseSockets();
        // A certificate nobody trusts, for the HTTPS listener: the agent must refuse it.
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=127.0.0.2", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var selfSigned = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(
            selfSigned.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12), null);
        builder.WebHost.ConfigureKestrel(o =>
        {
            o.Listen(IPAddress.Parse("127.0.0.2"), 0);
            o.Listen(IPAddress.Loopback, 0);
            o.Listen(IPAddress.Parse("127.0.0.2"), 0, l => l.UseHttps(certificate));
        });
        var app = builder.Build();
        var origin = new ImageOrigin(app);
        app.Run(origin.ServeAsync);
        await app.StartAsync();
        var urls = app.Urls.ToList();
        origin.Allowed = urls.First(u => u.StartsWith("http://127.0.0.2", StringComparison.Ordinal));
        origin.Untrusted = urls.First(u => u.StartsWith("https://127.0.0.2", StringComparison.Ordinal));
        origin.Loopback = urls.First(u => u.Contains("127.0.0.1", StringComparison.Ordinal));
        return origin;
    }

    private async Task ServeAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        var range = ctx.Request.Headers.Range.ToString();
        Requests.Enqueue($"{path} {(range.Length == 0 ? "-" : range)}");
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (parts)
        {
            case ["files", var name]:
                await FileAsync(ctx, name, ranges: true);
                return;
            case ["page", _]:
                // What a download site or a login answers in place of the file.
                ctx.Response.ContentType = "text/html; charset=utf-8";
                await ctx.Response.WriteAsync("<!DOCTYPE html><html><body>Please log in</body></html>");
                return;
            case ["no-range", var name]:
                await FileAsync(ctx, name, ranges: false);
                return;
            case ["redirect", var n, var name]:
                var left = int.Parse(n, CultureInfo.InvariantCulture);
                ctx.Response.StatusCode = 302;
                ctx.Response.Headers.Location = left == 0 ? $"/files/{name}" : $"/redirect/{left - 1}/{name}";
                return;
            case ["to-loopback", var name]:
                ctx.Response.StatusCode = 302;
                ctx.Response.Headers.Location = $"{Loopback}/files/{name}";
                return;
            case ["drop-once", var name] when Files.TryGetValue(name, out var body):
                if (range.Length == 0 && _dropped.TryAdd(name, true))
                {
                    ctx.Response.ContentLength = body.Length;
                    ctx.Response.Headers.ETag = Tag(body);
                    ctx.Response.Headers.AcceptRanges = "bytes";
                    await ctx.Response.Body.WriteAsync(body.AsMemory(0, body.Length / 2));
                    await ctx.Response.Body.FlushAsync();
                    ctx.Abort();
                    return;
                }
                await FileAsync(ctx, name, ranges: true);
                return;
            case ["drop-once-no-range", var name] when Files.TryGetValue(name, out var whole):
                ctx.Response.ContentLength = whole.Length;
                ctx.Response.Headers.ETag = Tag(whole);
                if (_dropped.TryAdd(path, true))
                {
                    await ctx.Response.Body.WriteAsync(whole.AsMemory(0, whole.Length / 2));
                    await ctx.Response.Body.FlushAsync();
                    ctx.Abort();
                    return;
                }
                await ctx.Response.Body.WriteAsync(whole);
                return;
            case ["stall", var name] when Files.TryGetValue(name, out var stalled):
                // The first 64 KiB, then nothing until the client goes away (a cancel, or its idle limit).
                ctx.Response.ContentLength = stalled.Length;
                await ctx.Response.Body.WriteAsync(stalled.AsMemory(0, 64 * 1024));
                await ctx.Response.Body.FlushAsync();
                try
                {
                    await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // The agent let go.
                }
                return;
            case ["endless"]:
                var chunk = new byte[64 * 1024];
                try
                {
                    while (!ctx.RequestAborted.IsCancellationRequested)
                        await ctx.Response.Body.WriteAsync(chunk, ctx.RequestAborted);
                }
                catch (Exception e) when (e is OperationCanceledException or IOException)
                {
                    // The agent cut it.
                }
                return;
            default:
                ctx.Response.StatusCode = 404;
                return;
        }
    }

    private static string Tag(byte[] body) => $"\"{body.Length:x}-{body[0]:x2}{body[^1]:x2}\"";

    private async Task FileAsync(HttpContext ctx, string name, bool ranges)
    {
        if (!Files.TryGetValue(name, out var body))
        {
            ctx.Response.StatusCode = 404;
            return;
        }
        var tag = Tag(body);
        ctx.Response.Headers.ETag = tag;
        var range = ctx.Request.Headers.Range.ToString();
        var ifRange = ctx.Request.Headers.IfRange.ToString();
        if (ranges && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-') && (ifRange.Length == 0 || ifRange == tag))
        {
            var from = int.Parse(range["bytes=".Length..^1], CultureInfo.InvariantCulture);
            ctx.Response.StatusCode = 206;
            ctx.Response.Headers.ContentRange = $"bytes {from}-{body.Length - 1}/{body.Length}";
            ctx.Response.ContentLength = body.Length - from;
            await ctx.Response.Body.WriteAsync(body.AsMemory(from));
            return;
        }
        ctx.Response.ContentLength = body.Length;
        await ctx.Response.Body.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
