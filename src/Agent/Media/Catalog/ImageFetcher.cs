using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using NetbootPi.Agent.Os.Files;

namespace NetbootPi.Agent.Media.Catalog;

/// <summary>
/// Downloads one image into the catalog: http or https only, TLS verified as the runtime verifies it, at most
/// <see cref="MaxRedirects"/> redirects each checked as the first URL was, every connection through the
/// <see cref="FetchGuard"/>, cut at <c>media.max_size</c>, the SHA-256 checked when given. A connection that breaks
/// off after bytes arrived is resumed at once with a Range request (If-Range: the server's validator), up to
/// <see cref="MaxResumes"/> times; a server that answers 200 instead is read again from the start. A download that
/// still does not finish keeps its partial file and the URL beside it, and a later add of the same URL under the
/// same name continues it. A URL the upstream cache holds whole (a profile's artifact a host has booted, or
/// <c>netbootpi fetch</c>) is copied from there, with no request sent.
/// </summary>
public sealed class ImageFetcher(ImageCatalog catalog, ImageJobs jobs, HttpClient http, IAtomicFiles files, Func<string, string?>? cachedFile = null)
{
    public const int MaxRedirects = 3;
    public const int MaxResumes = 3;
    private const int ChunkBytes = 1 << 20;

    /// <summary>A server that sends nothing for this long is given up on (the partial download is kept).</summary>
    public static readonly TimeSpan IdleLimit = TimeSpan.FromSeconds(60);

    /// <summary>The URL as the catalog accepts one, or a refusal: absolute, http or https, no credentials (they would be logged).</summary>
    public static Uri Check(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Host.Length == 0)
            throw new CatalogException(CatalogFailure.BadRequest, $"'{Short(text)}' is not a URL (expected http://HOST/PATH or https://HOST/PATH)");
        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
            throw new CatalogException(CatalogFailure.BadRequest, $"'{Short(text)}' is not http or https (the catalog fetches nothing else)");
        if (url.UserInfo.Length > 0)
            throw new CatalogException(CatalogFailure.BadRequest, $"the URL for {url.Host} carries a user name or password (not supported: they would be logged)");
        return url;
    }

    /// <summary>The URL as the catalog shows and logs it: without its query, which may hold a signature or token.</summary>
    public static string Shown(Uri url) => url.GetLeftPart(UriPartial.Path) + (url.Query.Length > 0 ? "?..." : "");

    private static string Short(string s) => s.Length > 80 ? s[..80] + "..." : s;

    /// <summary>The image the job names, downloaded or copied from the upstream cache (<c>FromCache</c>).</summary>
    /// <remarks>
    /// <paramref name="stopping"/> is the agent's: what arrived is kept to resume. The job's own cancellation keeps nothing.
    /// </remarks>
    public async Task<(CatalogImage Image, bool FromCache)> FetchAsync(ImageJob job, CancellationToken stopping)
    {
        var first = job.Url ?? throw new ArgumentException("a download job has its URL", nameof(job));
        var url = first.ToString();
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stopping, job.Cancellation);
        if (cachedFile?.Invoke(url) is { } cached && await CopyCachedAsync(job, cached, either.Token).ConfigureAwait(false) is { } copied)
            return (copied, true);
        return (await DownloadAsync(job, first, url, either.Token).ConfigureAwait(false), false);
    }

    /// <summary>The cached file copied into the catalog as it would be downloaded (hashed, checked, fsynced), or null when it went away meanwhile.</summary>
    private async Task<CatalogImage?> CopyCachedAsync(ImageJob job, string path, CancellationToken stopping)
    {
        FileStream source;
        try
        {
            source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        await using (source.ConfigureAwait(false))
        {
            var total = source.Length;
            if (total > catalog.MaxImageBytes)
                throw new CatalogException(CatalogFailure.TooLarge,
                    $"image {job.Name} is {total.ToString("N0", CultureInfo.InvariantCulture)} bytes (in the upstream cache), larger than media.max_size ({catalog.MaxImageBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes); nothing was kept");
            await using var write = catalog.BeginAdd(job.Name, job.By, job.Source, job.Sha256);
            job.Running(total, "copied from the upstream cache, no download");
            long shown = -1;
            var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
            try
            {
                int n;
                while ((n = await source.ReadAsync(buffer.AsMemory(0, ChunkBytes), stopping).ConfigureAwait(false)) > 0)
                {
                    await write.WriteAsync(buffer.AsMemory(0, n), stopping).ConfigureAwait(false);
                    job.Progress(write.Length);
                    jobs.ShowProgress(job, ref shown);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            return write.Commit();
        }
    }

    private async Task<CatalogImage> DownloadAsync(ImageJob job, Uri first, string url, CancellationToken stopping)
    {
        var partialName = job.Name;
        var sourcePath = Path.Combine(catalog.PartialRoot, partialName + ".json");
        var kept = ReadSource(sourcePath) is { } s && s.Url == url ? s : null;
        await using var write = catalog.BeginAdd(job.Name, job.By, job.Source, job.Sha256, partialName, resume: kept is not null);
        if (kept is null && write.Length > 0) write.Restart();
        long shown = -1;
        var resumes = 0;
        while (true)
        {
            var before = write.Length;
            try
            {
                var resumeFrom = kept is not null && write.Length > 0 ? write.Length : (long?)null;
                using var response = await SendAsync(first, resumeFrom, kept, stopping).ConfigureAwait(false);
                var total = Accept(response, write, resumeFrom, job);
                kept = new PartialSource(url, response.Headers.ETag is { IsWeak: false } e ? e.Tag : null,
                    response.Content.Headers.LastModified?.ToString("R", CultureInfo.InvariantCulture));
                // Written before the body, so that a crash mid-body still leaves the URL a resume needs.
                files.Write(sourcePath, JsonSerializer.SerializeToUtf8Bytes(kept, CatalogJson.Default.PartialSource));
                job.Running(total, resumeFrom is { } r ? $"resumed at {r.ToString("N0", CultureInfo.InvariantCulture)} bytes" : null);
                await CopyAsync(response, write, job, total, stopping, () => jobs.ShowProgress(job, ref shown)).ConfigureAwait(false);
                break;
            }
            catch (Exception e) when (Interrupted(e) && !stopping.IsCancellationRequested)
            {
                if (write.Length > before && resumes < MaxResumes && kept is not null)
                {
                    resumes++;
                    continue;
                }
                write.KeepPartial = kept is not null && write.Length > 0;
                throw new CatalogException(CatalogFailure.FetchFailed,
                    $"the download of {job.Name} from {first.Host} broke off after {write.Length.ToString("N0", CultureInfo.InvariantCulture)} bytes ({Describe(e, first)})"
                    + (write.KeepPartial ? $"; the part downloaded is kept: add the same URL as {job.Name} again to resume it" : ""), e);
            }
            catch (HttpRequestException e)
            {
                throw new CatalogException(CatalogFailure.FetchFailed, $"the download of {job.Name} failed: {Describe(e, first)}", e);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // The agent stops: what arrived stays for the same URL to resume after the restart. Cancelled: nothing.
                write.KeepPartial = !job.Cancellation.IsCancellationRequested && kept is not null && write.Length > 0;
                if (!write.KeepPartial) File.Delete(sourcePath);
                throw;
            }
        }
        var image = write.Commit();
        File.Delete(sourcePath);
        return image;
    }

    /// <summary>Sends the request, following at most <see cref="MaxRedirects"/> redirects, each a URL the catalog would accept.</summary>
    private async Task<HttpResponseMessage> SendAsync(Uri url, long? from, PartialSource? kept, CancellationToken cancellation)
    {
        for (var hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.UserAgent.Add(new ProductInfoHeaderValue("netbootpi", "1"));
            if (from is { } offset)
            {
                request.Headers.Range = new RangeHeaderValue(offset, null);
                // RFC 9110 §13.1.5: the rest of this same file, or the whole file when it changed.
                if (kept?.ETag is { } tag) request.Headers.IfRange = new RangeConditionHeaderValue(tag);
                else if (kept?.LastModified is { } date && DateTimeOffset.TryParse(date, CultureInfo.InvariantCulture, out var d)) request.Headers.IfRange = new RangeConditionHeaderValue(d);
            }
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation).ConfigureAwait(false);
            if ((int)response.StatusCode is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is not { } location)
                return response;
            response.Dispose();
            if (hop == MaxRedirects)
                throw new CatalogException(CatalogFailure.FetchFailed, $"more than {MaxRedirects} redirects (the last from {url.Host} to {Shown(location.IsAbsoluteUri ? location : new Uri(url, location))}); nothing was fetched");
            var next = location.IsAbsoluteUri ? location : new Uri(url, location);
            next = Check(next.ToString());
            if (url.Scheme == Uri.UriSchemeHttps && next.Scheme == Uri.UriSchemeHttp)
                throw new CatalogException(CatalogFailure.FetchFailed, $"{url.Host} redirects from https to plain http ({Shown(next)}); refused");
            url = next;
        }
    }

    /// <summary>Checks the answer and returns the image's whole length when the server said it; a 200 to a resume starts over.</summary>
    private long? Accept(HttpResponseMessage response, ImageWrite write, long? from, ImageJob job)
    {
        var status = (int)response.StatusCode;
        long? total;
        if (status == 206 && from is { } offset && response.Content.Headers.ContentRange is { From: { } start } range && start == offset)
        {
            total = range.Length;
        }
        else if (status == 200)
        {
            if (write.Length > 0) write.Restart();
            total = response.Content.Headers.ContentLength;
        }
        else
        {
            throw new CatalogException(CatalogFailure.FetchFailed,
                $"{response.RequestMessage?.RequestUri?.Host} answered {status} {response.ReasonPhrase} for {job.Name}{(status == 206 ? " with a range that does not continue the part downloaded" : "")}");
        }
        // A login page or a download site's page in place of the file: the bytes would be kept as an image that boots nothing.
        if (response.Content.Headers.ContentType?.MediaType is "text/html" or "application/xhtml+xml")
            throw new CatalogException(CatalogFailure.FetchFailed,
                $"{response.RequestMessage?.RequestUri?.Host} answered with a web page ({response.Content.Headers.ContentType.MediaType}), not an image, for {job.Name}: check the URL (a download page or a login in the way?); nothing was kept");
        if (total is { } t && t > catalog.MaxImageBytes)
            throw new CatalogException(CatalogFailure.TooLarge,
                $"image {job.Name} is {t.ToString("N0", CultureInfo.InvariantCulture)} bytes, larger than media.max_size ({catalog.MaxImageBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes); nothing was kept");
        return total;
    }

    private async Task CopyAsync(HttpResponseMessage response, ImageWrite write, ImageJob job, long? total, CancellationToken stopping, Action progress)
    {
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, jobs.Time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stopping, idle.Token);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(stopping).ConfigureAwait(false);
            while (true)
            {
                idle.CancelAfter(IdleLimit);
                int n;
                try
                {
                    n = await body.ReadAsync(buffer.AsMemory(0, ChunkBytes), either.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (idle.IsCancellationRequested && !stopping.IsCancellationRequested)
                {
                    throw new IOException($"nothing arrived for {IdleLimit.TotalSeconds:0} s");
                }
                if (n == 0) break;
                await write.WriteAsync(buffer.AsMemory(0, n), stopping).ConfigureAwait(false);
                job.Progress(write.Length);
                progress();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (total is { } t && write.Length < t)
            throw new IOException($"the server closed the connection at {write.Length.ToString("N0", CultureInfo.InvariantCulture)} of {t.ToString("N0", CultureInfo.InvariantCulture)} bytes");
    }

    private static PartialSource? ReadSource(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), CatalogJson.Default.PartialSource);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>A transfer that broke off (resumable), as opposed to a refusal or an error of our own.</summary>
    private static bool Interrupted(Exception e) => e switch
    {
        FetchRefusedException => false,
        HttpRequestException h => h.HttpRequestError is HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse || h.InnerException is IOException and not FetchRefusedException,
        IOException => true,
        _ => false,
    };

    /// <summary>Why a request failed, in words of our own (the runtime's may be resource keys, and say nothing of what to check).</summary>
    internal static string Describe(Exception e, Uri url)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
            if (inner is FetchRefusedException refused) return refused.Message;
        return e switch
        {
            HttpRequestException h => h.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => $"{url.Host} does not resolve (check the name and the box's DNS)",
                HttpRequestError.ConnectionError => $"cannot connect to {url.Host}:{url.Port} (is the server up, and reachable from the box?)",
                HttpRequestError.SecureConnectionError => $"the TLS connection to {url.Host} failed: its certificate is not trusted by the box, does not name {url.Host}, or the box's clock is wrong",
                HttpRequestError.ResponseEnded => $"{url.Host} closed the connection before the end of its answer",
                _ => $"the request to {url.Host} failed ({h.HttpRequestError})",
            },
            IOException io => io.Message,
            _ => e.GetType().Name,
        };
    }
}
