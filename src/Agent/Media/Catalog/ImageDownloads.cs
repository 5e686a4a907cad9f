using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Events;

namespace NetbootPi.Agent.Media.Catalog;

/// <summary>
/// Adds images by URL in the agent, one at a time (the Pi's uplink and SD card are one each), from a queue of at
/// most <see cref="QueueCapacity"/>: a request only queues its download and answers with the job, which it (or
/// <c>netbootpi media add</c>) then follows. Each ends as a boot event of kind <c>image</c> with who asked.
/// </summary>
public sealed partial class ImageDownloads(ImageCatalog catalog, ImageJobs jobs, ImageFetcher fetcher, BootEventLog events,
    ILogger<ImageDownloads> logger) : BackgroundService
{
    public const int QueueCapacity = 4;

    /// <summary>How long the part of an interrupted download waits for the same URL to resume it before it is removed.</summary>
    public static readonly TimeSpan PartialKeep = TimeSpan.FromDays(7);

    private static readonly TimeSpan SweepEvery = TimeSpan.FromHours(6);

    private readonly Channel<ImageJob> _queue = Channel.CreateBounded<ImageJob>(new BoundedChannelOptions(QueueCapacity) { SingleReader = true });

    /// <summary>
    /// Queues the download of <paramref name="url"/> as <paramref name="name"/> (by default the URL's last segment), or
    /// refuses it at once: a URL or checksum that is not valid, a name taken, a full queue.
    /// </summary>
    public ImageJob Enqueue(string url, string? name, string? sha256, string by)
    {
        var checkedUrl = ImageFetcher.Check(url);
        name = string.IsNullOrEmpty(name) ? ImageName.FromUrl(checkedUrl) : name;
        if (name is null)
            throw new CatalogException(CatalogFailure.BadName, $"the URL's last segment is no image name: give one (--name NAME; letters, digits and . _ - +)");
        if (ImageName.Refusal(name) is { } bad) throw new CatalogException(CatalogFailure.BadName, bad);
        var expected = ImageCatalog.NormalizeSha256(sha256);
        if (catalog.Find(name) is not null)
            throw new CatalogException(CatalogFailure.Exists, $"image {name} exists in {catalog.Root} (remove it first: netbootpi media remove {name})");
        if (jobs.All.Any(j => j.Name == name && !j.IsOver))
            throw new CatalogException(CatalogFailure.Exists, $"image {name} is being added already (netbootpi media list shows it once it is there)");
        var job = jobs.Add(name, "fetch", ImageFetcher.Shown(checkedUrl), by, expected, checkedUrl);
        if (!_queue.Writer.TryWrite(job))
        {
            var why = $"{QueueCapacity} downloads are queued already; try again when one has ended";
            job.Failed(CatalogFailure.Busy, why, jobs.Time.GetUtcNow());
            throw new CatalogException(CatalogFailure.Busy, why);
        }
        LogQueued(name, checkedUrl.Host, by);
        return job;
    }

    /// <summary>
    /// Cancels the download of <paramref name="name"/>, queued or running: it stops, keeps nothing (not even a part to
    /// resume), and its job ends as failed with who cancelled it.
    /// </summary>
    public ImageJob Cancel(string name, string by)
    {
        var job = jobs.All.LastOrDefault(j => j.Name == name && !j.IsOver);
        if (job is null)
            throw new CatalogException(CatalogFailure.NotFound, $"no download of {name} is queued or running (netbootpi media list shows the images; GET /api/v1/images/jobs the adds)");
        if (job.Kind != "fetch")
            throw new CatalogException(CatalogFailure.Exists, $"{name} is being uploaded: an upload ends when its sender stops sending (interrupt the netbootpi media add that sends it)");
        if (!job.RequestCancel(by))
            throw new CatalogException(CatalogFailure.Exists, $"the download of {name} is being cancelled or has just ended");
        LogCancelled(name, by);
        // A queued job is never started (RunAsync skips it); a running one ends in RunAsync when its copy sees the token.
        if (job.State == ImageJobState.Queued) EndCancelled(job);
        return job;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sweeping = SweepAsync(stoppingToken);
        try
        {
            await foreach (var job in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
                await RunAsync(job, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The agent stops; a download in progress keeps its partial file (resumable).
        }
        await sweeping.ConfigureAwait(false);
    }

    /// <summary>At start and every few hours: parts of interrupted downloads older than <see cref="PartialKeep"/> go.</summary>
    private async Task SweepAsync(CancellationToken stopping)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    foreach (var name in catalog.RemoveStalePartials(PartialKeep)) LogStale(name, (int)PartialKeep.TotalDays);
                }
                catch (CatalogException e)
                {
                    LogSweepFailed(e.Message);
                }
                await Task.Delay(SweepEvery, jobs.Time, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task RunAsync(ImageJob job, CancellationToken stopping)
    {
        var host = job.Url!.Host;
        if (job.CancelledBy is not null) return;
        try
        {
            job.Running(null);
            var (image, fromCache) = await fetcher.FetchAsync(job, stopping).ConfigureAwait(false);
            job.Succeeded(image, jobs.Time.GetUtcNow());
            LogAdded(job.Name, image.Size, image.Sha256 ?? "", fromCache ? $"{host} (the upstream cache's copy)" : host);
            Record(job, $"added {job.Name} from {job.Source} (sha256 {image.Sha256}){(fromCache ? ", copied from the upstream cache" : "")}", 0, image.Size);
        }
        catch (CatalogException e)
        {
            job.Failed(e.Failure, e.Message, jobs.Time.GetUtcNow());
            LogFailed(job.Name, host, e.Message);
            Record(job, $"not added {job.Name} from {job.Source}: {e.Message}", 1, 0);
        }
        catch (OperationCanceledException) when (job.Cancellation.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            EndCancelled(job);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            job.Failed(CatalogFailure.FetchFailed, "the agent stopped during the download; the part downloaded is kept to resume", jobs.Time.GetUtcNow());
            throw;
        }
        finally
        {
            jobs.ClearProgress();
        }
    }

    private void EndCancelled(ImageJob job)
    {
        var at = job.Bytes > 0 ? $" after {job.Bytes.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} bytes" : "";
        job.Failed(CatalogFailure.Cancelled, $"cancelled by {job.CancelledBy}{at}; nothing was kept", jobs.Time.GetUtcNow());
        Record(job, $"not added {job.Name} from {job.Source}: cancelled by {job.CancelledBy}{at}", 1, 0);
    }

    private void Record(ImageJob job, string what, int status, long bytes) =>
        events.Record(new BootEvent(jobs.Time.GetUtcNow(), job.By, null, BootEventKind.Image, what, status, bytes));

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "images: {By} queued {Name} from {Host}")]
    private partial void LogQueued(string name, string host, string by);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "images: added {Name} ({Bytes} bytes, sha256 {Sha256}) from {Host}")]
    private partial void LogAdded(string name, long bytes, string sha256, string host);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "images: {Name} from {Host} not added: {Reason}")]
    private partial void LogFailed(string name, string host, string reason);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "images: {By} cancelled the download of {Name}")]
    private partial void LogCancelled(string name, string by);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "images: removed the part of the interrupted download of {Name}: nobody resumed it in {Days} days")]
    private partial void LogStale(string name, int days);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "images: could not look for old parts of interrupted downloads: {Reason}")]
    private partial void LogSweepFailed(string reason);
}
