using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Os.Files;

namespace NetbootPi.Agent.Upstream;

/// <summary>Why an artifact could not be served from the cache.</summary>
public enum UpstreamFailure { None, NotNamedBySite, FetchFailed }

/// <summary>A cached file, or why there is none.</summary>
public sealed record UpstreamResult(string? Path, UpstreamFailure Failure, string Detail);

/// <summary>
/// Mirror artifacts kept on the box: fetched on first request (or ahead with <c>netbootpi fetch</c>) into
/// <c>STATE_DIR/cache/</c>, under a name derived from the URL, so a new release is a new file. A download
/// becomes visible only complete (temporary file, length checked, fsync, rename): a failed or partial
/// download is never served. Concurrent requests for one artifact share one download.
/// </summary>
public sealed partial class UpstreamCache(string stateDirectory, IAtomicFiles files, HttpClient http, ILogger<UpstreamCache> logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<UpstreamResult>>> _inFlight = new(StringComparer.Ordinal);
    // Downloads outlive the request that started them (another may be waiting); they stop with the agent.
    private readonly CancellationTokenSource _stopping = new();

    public string Root { get; } = Path.Combine(stateDirectory, "cache");

    /// <summary>The cached file for <paramref name="name"/> of <paramref name="profileName"/>, fetching it first if needed.</summary>
    public Task<UpstreamResult> GetAsync(SiteInventory site, string profileName, string name)
    {
        if (site.FindProfile(profileName) is not { } profile
            || !UpstreamArtifacts.Of(profile).TryGetValue(name, out var url))
            return Task.FromResult(new UpstreamResult(null, UpstreamFailure.NotNamedBySite,
                $"profile '{profileName}' names no upstream artifact '{name}'"));
        return GetUrlAsync(url, name);
    }

    public Task<UpstreamResult> GetUrlAsync(string url, string name)
    {
        var path = PathFor(url, name);
        if (File.Exists(path)) return Task.FromResult(new UpstreamResult(path, UpstreamFailure.None, "cached"));
        var lazy = _inFlight.GetOrAdd(url, u => new Lazy<Task<UpstreamResult>>(() => DownloadAsync(u, path)));
        return lazy.Value;
    }

    public string PathFor(string url, string name)
    {
        var safe = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray()).TrimStart('.');
        return Path.Combine(Root, $"{Hash(url)}-{safe}");
    }

    /// <summary>
    /// The complete cached file of <paramref name="url"/>, under whichever name a profile gave it, or null: the image
    /// catalog adds such a URL from here instead of downloading it again. Files being downloaded are hidden (".NAME.tmp").
    /// </summary>
    public string? Cached(string url)
    {
        try
        {
            return Directory.EnumerateFiles(Root, Hash(url) + "-*").FirstOrDefault();
        }
        catch (Exception e) when (e is DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Hash(string url) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url)))[..24];

    private async Task<UpstreamResult> DownloadAsync(string url, string path)
    {
        try
        {
            Directory.CreateDirectory(Root);
            LogFetching(url);
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, _stopping.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                return Failed(url, $"the mirror answered {(int)response.StatusCode} {response.ReasonPhrase}");
            var expected = response.Content.Headers.ContentLength;
            await using var file = files.Create(path);
            await using (var body = await response.Content.ReadAsStreamAsync(_stopping.Token).ConfigureAwait(false))
                await body.CopyToAsync(file.Content, 256 * 1024, _stopping.Token).ConfigureAwait(false);
            var written = file.Content.Length;
            if (expected is { } n && n != written)
                return Failed(url, $"the mirror sent {written} of {n} bytes");
            file.Commit();
            LogFetched(url, written);
            return new UpstreamResult(path, UpstreamFailure.None, $"fetched {written} bytes");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            return Failed(url, UpstreamErrors.Describe(ex, path));
        }
        finally
        {
            _inFlight.TryRemove(url, out _);
        }
    }

    private UpstreamResult Failed(string url, string reason)
    {
        LogFetchFailed(url, reason);
        return new UpstreamResult(null, UpstreamFailure.FetchFailed, $"{url}: {reason}");
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "fetching {Url}")]
    private partial void LogFetching(string url);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "cached {Url} ({Bytes} bytes)")]
    private partial void LogFetched(string url, long bytes);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "fetching {Url} failed: {Reason}; nothing cached (check the uplink and the profile's mirror)")]
    private partial void LogFetchFailed(string url, string reason);
}
