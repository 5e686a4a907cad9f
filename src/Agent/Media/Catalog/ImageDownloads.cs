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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var job in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
                await RunAsync(job, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The agent stops; a download in progress keeps its partial file (resumable).
        }
    }

    private async Task RunAsync(ImageJob job, CancellationToken stopping)
    {
        var host = job.Url!.Host;
        try
        {
            job.Running(null);
            var image = await fetcher.FetchAsync(job, stopping).ConfigureAwait(false);
            job.Succeeded(image, jobs.Time.GetUtcNow());
            LogAdded(job.Name, image.Size, image.Sha256 ?? "", host);
            Record(job, $"added {job.Name} from {job.Source} (sha256 {image.Sha256})", 0, image.Size);
        }
        catch (CatalogException e)
        {
            job.Failed(e.Failure, e.Message, jobs.Time.GetUtcNow());
            LogFailed(job.Name, host, e.Message);
            Record(job, $"not added {job.Name} from {job.Source}: {e.Message}", 1, 0);
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

    private void Record(ImageJob job, string what, int status, long bytes) =>
        events.Record(new BootEvent(jobs.Time.GetUtcNow(), job.By, null, BootEventKind.Image, what, status, bytes));

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "images: {By} queued {Name} from {Host}")]
    private partial void LogQueued(string name, string host, string by);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "images: added {Name} ({Bytes} bytes, sha256 {Sha256}) from {Host}")]
    private partial void LogAdded(string name, long bytes, string sha256, string host);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "images: {Name} from {Host} not added: {Reason}")]
    private partial void LogFailed(string name, string host, string reason);
}
