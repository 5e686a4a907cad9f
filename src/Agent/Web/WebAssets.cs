using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Control;

namespace NetbootPi.Agent.Web;

/// <summary>
/// The web console's stylesheet, script and icon, embedded in the executable (no files beside it, nothing from a
/// CDN). Pages link them as <c>/assets/NAME?v=HASH</c> (the first 16 hex digits of their SHA-256): a URL names one
/// content, so it is cached for a year as immutable, and a new agent's assets are new URLs. A request for another
/// version gets today's asset uncached; <c>If-None-Match</c> with the hash is 304.
/// </summary>
public sealed class WebAssets
{
    /// <summary>One asset: its path, media type, bytes and hash.</summary>
    public sealed record Asset(string Path, string MediaType, byte[] Bytes, string Hash)
    {
        /// <summary>The URL pages link: the path and the content's hash.</summary>
        public string Url => $"{Path}?v={Hash}";
    }

    public const string Prefix = "/assets/";

    private readonly Dictionary<string, Asset> _byName = new(StringComparer.Ordinal);

    public WebAssets()
    {
        foreach (var (name, media) in new[] { ("console.css", "text/css; charset=utf-8"), ("console.js", "text/javascript; charset=utf-8"), ("icon.svg", "image/svg+xml"),
            ("site.js", "text/javascript; charset=utf-8"), ("console-host.js", "text/javascript; charset=utf-8"), ("admin.js", "text/javascript; charset=utf-8") })
        {
            using var stream = typeof(WebAssets).Assembly.GetManifestResourceStream("web/" + name)
                ?? throw new InvalidOperationException($"the web console's {name} is not embedded in the executable (src/Agent/Web/Assets, EmbeddedResource)");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            _byName[name] = new Asset(Prefix + name, media, bytes, Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]);
        }
    }

    public Asset this[string name] => _byName[name];

    public IEnumerable<Asset> All => _byName.Values;

    public IEnumerable<ControlRoute> Routes => _byName.Values.Select(a => new ControlRoute("GET", a.Path, ControlRole.Anyone, Changes: false, (c, _) => ServeAsync(c, a))
    {
        NetworkOnly = true,
        Summary = $"The web console's {System.IO.Path.GetFileName(a.Path)}, embedded in the agent; linked as ?v=HASH of its content and cached as immutable.",
        Query = [new("v", false, "the content's hash, as the pages link it")],
        ReplyMediaType = a.MediaType.Split(';')[0],
    });

    private static async Task ServeAsync(HttpContext context, Asset asset)
    {
        var headers = context.Response.Headers;
        WebPages.SecurityHeaders(context);
        var etag = $"\"{asset.Hash}\"";
        headers.ETag = etag;
        // The URL with today's hash names these bytes for good; any other version is answered without a promise.
        headers.CacheControl = context.Request.Query["v"].ToString() == asset.Hash ? "public, max-age=31536000, immutable" : "no-cache";
        if (context.Request.Headers.IfNoneMatch.ToString() == etag)
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = asset.MediaType;
        context.Response.ContentLength = asset.Bytes.Length;
        await context.Response.Body.WriteAsync(asset.Bytes, context.RequestAborted).ConfigureAwait(false);
    }
}
