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
    /// <summary>
    /// One asset: its path, media type, bytes and hash. <see cref="Gzipped"/>: the bytes are gzip's (a vendored
    /// library kept compressed to spare the executable), served as they are with <c>Content-Encoding: gzip</c>.
    /// </summary>
    public sealed record Asset(string Path, string MediaType, byte[] Bytes, string Hash, bool Gzipped = false)
    {
        /// <summary>The URL pages link: the path and the content's hash.</summary>
        public string Url => $"{Path}?v={Hash}";
    }

    public const string Prefix = "/assets/";

    private const string Js = "text/javascript; charset=utf-8", Css = "text/css; charset=utf-8";

    // Name, media type, embedded resource (web/...), gzipped. xterm.js and its stylesheet are vendored from npm
    // (@xterm/xterm, src/Agent/Web/Assets/vendor/xterm/README.md says which and how), and so is the WireGuard page's QR
    // code library (qrcode-generator, vendor/qrcode/README.md); each one's licence is served beside it.
    private static readonly (string Name, string Media, string Resource, bool Gzipped)[] Embedded =
    [
        ("console.css", Css, "console.css", false), ("console.js", Js, "console.js", false), ("icon.svg", "image/svg+xml", "icon.svg", false),
        ("site.js", Js, "site.js", false), ("console-host.js", Js, "console-host.js", false), ("admin.js", Js, "admin.js", false),
        ("terminal.js", Js, "terminal.js", false),
        ("xterm.js", Js, "xterm/xterm.js.gz", true), ("xterm.css", Css, "xterm/xterm.css.gz", true),
        ("xterm-LICENSE.txt", "text/plain; charset=utf-8", "xterm/LICENSE", false),
        ("qrcode.js", Js, "qrcode/qrcode.js.gz", true), ("qrcode-LICENSE.txt", "text/plain; charset=utf-8", "qrcode/LICENSE", false),
    ];

    private readonly Dictionary<string, Asset> _byName = new(StringComparer.Ordinal);

    public WebAssets()
    {
        foreach (var (name, media, resource, gzipped) in Embedded)
        {
            using var stream = typeof(WebAssets).Assembly.GetManifestResourceStream("web/" + resource)
                ?? throw new InvalidOperationException($"the web console's {name} is not embedded in the executable (src/Agent/Web/Assets, EmbeddedResource)");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            _byName[name] = new Asset(Prefix + name, media, bytes, Convert.ToHexStringLower(SHA256.HashData(bytes))[..16], gzipped);
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
        var bytes = asset.Bytes;
        if (asset.Gzipped)
        {
            // A cache keeps both forms apart; the rare client that takes no gzip gets the bytes unpacked.
            headers.Vary = "Accept-Encoding";
            if (AcceptsGzip(context.Request.Headers.AcceptEncoding.ToString())) headers.ContentEncoding = "gzip";
            else bytes = Gunzip(bytes);
        }
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Whether an Accept-Encoding header takes gzip (RFC 9110 §12.5.3: listed, or *, and not with q=0).</summary>
    internal static bool AcceptsGzip(string acceptEncoding)
    {
        foreach (var part in acceptEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = part.Split(';', StringSplitOptions.TrimEntries);
            if (!fields[0].Equals("gzip", StringComparison.OrdinalIgnoreCase) && !fields[0].Equals("x-gzip", StringComparison.OrdinalIgnoreCase) && fields[0] != "*") continue;
            var refused = fields.Skip(1).Any(f => f.Replace(" ", "", StringComparison.Ordinal) is "q=0" or "q=0.0" or "q=0.00" or "q=0.000");
            return !refused;
        }
        return false;
    }

    private static byte[] Gunzip(byte[] gzipped)
    {
        using var input = new System.IO.Compression.GZipStream(new MemoryStream(gzipped), System.IO.Compression.CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
