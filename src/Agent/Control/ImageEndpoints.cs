using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Kvm;
using NetbootPi.Agent.Media.Catalog;

namespace NetbootPi.Agent.Control;

/// <summary>
/// The image catalog on the control API (docs/media.md): list it (viewer); add an image by upload, the request's
/// body streamed to disk, or by URL, downloaded by the agent (<see cref="ImageDownloads"/>), and remove one
/// (operator). Adds and removals are boot events of kind <c>image</c> with who asked, besides the router's audit lines.
/// </summary>
public sealed class ImageEndpoints(ImageCatalog catalog, ImageJobs jobs, ImageDownloads downloads, BootEventLog events, KvmService? kvm = null) : IControlEndpoints
{
    public const string ListPath = "/api/v1/images";
    public const string UploadPath = "/api/v1/images/upload";
    public const string FetchPath = "/api/v1/images/fetch";
    public const string JobsPath = "/api/v1/images/jobs";
    public const string RemovePath = "/api/v1/images/remove";
    public const string CancelPath = "/api/v1/images/cancel";

    /// <summary>How long <c>GET /api/v1/images/jobs?id=ID&amp;after=N</c> waits for a change before it answers anyway.</summary>
    public static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(10);

    public IEnumerable<ControlRoute> Routes =>
    [
        new("GET", ListPath, ControlRole.Viewer, Changes: false, ListAsync)
        {
            Summary = "The images in the catalog (DATA_DIR/images): name, size, SHA-256 when known, when and by whom added, from where.",
            Reply = ImageJson.Default.ImageReplyArray,
        },
        new("POST", UploadPath, ControlRole.Operator, Changes: true, UploadAsync)
        {
            Summary = "Adds an image from the request's body (application/octet-stream), streamed to disk: 201 with the image; 409 name taken, 413 over media.max_size, 422 wrong SHA-256, 507 disk full (nothing kept).",
            Query = [new("name", true, "the image's name: letters, digits and . _ - +, at most 128"), new("sha256", false, "the SHA-256 the bytes must have (64 hex digits)")],
            RawBody = "application/octet-stream",
            Reply = ImageJson.Default.ImageReply,
        },
        new("POST", FetchPath, ControlRole.Operator, Changes: true, FetchAsync)
        {
            Summary = "Queues the download of an image from an http(s) URL by the agent: 202 with the job to follow at /api/v1/images/jobs; 400 a URL, name or checksum not valid, 409 name taken, 503 queue full.",
            Body = ImageJson.Default.ImageFetchRequest,
            Reply = ImageJson.Default.ImageJobReply,
        },
        new("GET", JobsPath, ControlRole.Viewer, Changes: false, JobsAsync)
        {
            Summary = "The adds in progress and the last ones ended (uploads and downloads): state, bytes, total, what went wrong; with id and after, waits up to 10 s for that job's next change.",
            Query = [new("id", false, "only this job"), new("after", false, "with id: answer once the job's version is past this one (or it ended, or 10 s passed)")],
            Reply = ImageJson.Default.ImageJobReplyArray,
        },
        new("POST", CancelPath, ControlRole.Operator, Changes: true, CancelAsync)
        {
            Summary = "Cancels the download of an image, queued or running: it stops and keeps nothing; answers with its job once it has ended (at most 10 s); 404 when no download of that name is queued or running, 409 for an upload.",
            Body = ImageJson.Default.ImageNameRequest,
            Reply = ImageJson.Default.ImageJobReply,
        },
        new("POST", RemovePath, ControlRole.Operator, Changes: true, RemoveAsync)
        {
            Summary = "Removes an image and its metadata (and an interrupted download of that name); 404 when there is none, 409 while it is being added or while it is in the console host's drive.",
            Body = ImageJson.Default.ImageNameRequest,
            Reply = ImageJson.Default.ImageDoneReply,
        },
    ];

    private readonly Lock _noDrive = new();

    private Task ListAsync(HttpContext context, ControlCaller caller) =>
        ControlService.WriteAsync(context, StatusCodes.Status200OK, catalog.List().Select(Reply).ToArray(), ImageJson.Default.ImageReplyArray);

    private async Task UploadAsync(HttpContext context, ControlCaller caller)
    {
        var query = context.Request.Query;
        var name = query["name"].ToString();
        string? sha256;
        try
        {
            if (ImageName.Refusal(name) is { } bad) throw new CatalogException(CatalogFailure.BadName, bad);
            sha256 = ImageCatalog.NormalizeSha256(query["sha256"].ToString());
        }
        catch (CatalogException e)
        {
            await RefuseAsync(context, e).ConfigureAwait(false);
            return;
        }
        try
        {
            var image = await AddUploadAsync(context, name, sha256, caller).ConfigureAwait(false);
            await ControlService.WriteAsync(context, StatusCodes.Status201Created, Reply(image), ImageJson.Default.ImageReply).ConfigureAwait(false);
        }
        catch (CatalogException e)
        {
            if (!context.RequestAborted.IsCancellationRequested) await RefuseAsync(context, e).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Adds the image <paramref name="name"/> from the request's body, streamed to disk, with its job and its event
    /// (added or not, and why): the one upload of every API (native, kvmd's <c>/api/msd/write</c>). Throws
    /// <see cref="CatalogException"/> after recording it.
    /// </summary>
    internal async Task<CatalogImage> AddUploadAsync(HttpContext context, string name, string? sha256, ControlCaller caller)
    {
        // The control API's own limit is for JSON bodies; an image is bounded by media.max_size as it arrives.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = null;
        var job = jobs.Add(name, "upload", "upload", caller.EventClient, sha256);
        try
        {
            var image = await ImageUpload.AddAsync(catalog, jobs, job, context.Request.Body, context.Request.ContentLength, context.RequestAborted).ConfigureAwait(false);
            Record(caller, $"added {name} by upload (sha256 {image.Sha256})", 0, image.Size);
            return image;
        }
        catch (CatalogException e)
        {
            Record(caller, $"not added {name} by upload: {e.Message}", 1, 0);
            throw;
        }
    }

    private async Task FetchAsync(HttpContext context, ControlCaller caller)
    {
        if (await ControlBody.ReadAsync(context, ImageJson.Default.ImageFetchRequest).ConfigureAwait(false) is not { } request) return;
        try
        {
            var job = downloads.Enqueue(request.Url, request.Name, request.Sha256, caller.EventClient);
            await ControlService.WriteAsync(context, StatusCodes.Status202Accepted, Reply(job), ImageJson.Default.ImageJobReply).ConfigureAwait(false);
        }
        catch (CatalogException e)
        {
            await RefuseAsync(context, e).ConfigureAwait(false);
        }
    }

    private async Task JobsAsync(HttpContext context, ControlCaller caller)
    {
        var id = context.Request.Query["id"].ToString();
        if (id.Length == 0)
        {
            await ControlService.WriteAsync(context, StatusCodes.Status200OK, jobs.All.Select(Reply).ToArray(), ImageJson.Default.ImageJobReplyArray).ConfigureAwait(false);
            return;
        }
        if (jobs.Find(id) is not { } job)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status404NotFound, $"no job {id} (the last {ImageJobs.KeepEnded} ended ones are kept)").ConfigureAwait(false);
            return;
        }
        var after = context.Request.Query["after"].ToString();
        if (after.Length > 0)
        {
            if (!long.TryParse(after, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version))
            {
                await ControlService.ReplyAsync(context, StatusCodes.Status400BadRequest, $"after= must be a job's version (a whole number), not '{after}'").ConfigureAwait(false);
                return;
            }
            await job.WaitAsync(version, LongPoll, jobs.Time, context.RequestAborted).ConfigureAwait(false);
        }
        await ControlService.WriteAsync(context, StatusCodes.Status200OK, new[] { Reply(job) }, ImageJson.Default.ImageJobReplyArray).ConfigureAwait(false);
    }

    private async Task CancelAsync(HttpContext context, ControlCaller caller)
    {
        if (await ControlBody.ReadAsync(context, ImageJson.Default.ImageNameRequest).ConfigureAwait(false) is not { } request) return;
        ImageJob job;
        try
        {
            job = downloads.Cancel(request.Name, caller.EventClient);
        }
        catch (CatalogException e)
        {
            await RefuseAsync(context, e).ConfigureAwait(false);
            return;
        }
        await job.WaitForEndAsync(LongPoll, jobs.Time, context.RequestAborted).ConfigureAwait(false);
        await ControlService.WriteAsync(context, StatusCodes.Status200OK, Reply(job), ImageJson.Default.ImageJobReply).ConfigureAwait(false);
    }

    private async Task RemoveAsync(HttpContext context, ControlCaller caller)
    {
        if (await ControlBody.ReadAsync(context, ImageJson.Default.ImageNameRequest).ConfigureAwait(false) is not { } request) return;
        try
        {
            var message = Remove(request.Name, caller);
            await ControlService.WriteAsync(context, StatusCodes.Status200OK, new ImageDoneReply(message), ImageJson.Default.ImageDoneReply).ConfigureAwait(false);
        }
        catch (CatalogException e)
        {
            await RefuseAsync(context, e).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Removes the image <paramref name="name"/> unless it is in the console host's drive, and records it: the one
    /// removal of every API (native, kvmd's <c>/api/msd/remove</c>). Throws <see cref="CatalogException"/>.
    /// </summary>
    internal string Remove(string name, ControlCaller caller)
    {
        string message;
        // Under the drive's lock: no attach can take the image between the look and the removal.
        lock (kvm?.MediaLock ?? _noDrive)
        {
            if (kvm?.Gadget?.Media.File is { } inDrive && inDrive == Path.Combine(catalog.Root, name))
                throw new CatalogException(CatalogFailure.InUse,
                    $"image {name} is in the console host's drive: eject it first (netbootpi media eject), as the host may be reading it");
            message = catalog.Remove(name);
        }
        Record(caller, message, 0, 0);
        return message;
    }

    private void Record(ControlCaller caller, string what, int status, long bytes) =>
        events.Record(new BootEvent(jobs.Time.GetUtcNow(), caller.EventClient, null, BootEventKind.Image, what, status, bytes));

    /// <summary>The status each failure is answered with: the client's mistakes 4xx, the box's disk 507.</summary>
    public static int StatusOf(CatalogFailure failure) => failure switch
    {
        CatalogFailure.BadName or CatalogFailure.BadRequest => StatusCodes.Status400BadRequest,
        CatalogFailure.Exists or CatalogFailure.InUse or CatalogFailure.Cancelled => StatusCodes.Status409Conflict,
        CatalogFailure.NotFound => StatusCodes.Status404NotFound,
        CatalogFailure.TooLarge => StatusCodes.Status413PayloadTooLarge,
        CatalogFailure.ChecksumMismatch or CatalogFailure.FetchFailed => StatusCodes.Status422UnprocessableEntity,
        CatalogFailure.DiskFull => StatusCodes.Status507InsufficientStorage,
        CatalogFailure.Busy => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static Task RefuseAsync(HttpContext context, CatalogException e) => ControlService.ReplyAsync(context, StatusOf(e.Failure), e.Message);

    internal static ImageReply Reply(CatalogImage i) => new(i.Name, i.Size, i.Sha256, i.Added, i.AddedBy, i.Source);

    internal static ImageJobReply Reply(ImageJob j) => new(j.Id, j.Name, j.Kind, j.Source, j.By, j.State.ToString().ToLowerInvariant(),
        j.Bytes, j.Total, j.Message, j.Queued, j.Ended, j.Version, j.Failure is { } f ? StatusOf(f) : null, j.Image is { } i ? Reply(i) : null);
}

/// <summary>An image of the catalog; <c>sha256</c>, <c>added_by</c> and <c>source</c> are null for one copied in by hand.</summary>
internal sealed record ImageReply(string Name, long Size, string? Sha256, DateTimeOffset Added, string? AddedBy, string? Source);

/// <summary>POST /api/v1/images/fetch: the URL (http or https), the name (default: the URL's last segment), the SHA-256 to check.</summary>
internal sealed record ImageFetchRequest(string Url, string? Name = null, string? Sha256 = null);

/// <summary>POST /api/v1/images/remove and /cancel.</summary>
internal sealed record ImageNameRequest(string Name);

/// <summary>A removal done, as a sentence.</summary>
internal sealed record ImageDoneReply(string Message);

/// <summary>
/// An add in progress or ended: <c>state</c> queued, running, done or failed; <c>status</c> the HTTP status its failure
/// maps to; <c>version</c> grows at each change (pass it as <c>after</c> to wait for the next).
/// </summary>
internal sealed record ImageJobReply(string Id, string Name, string Kind, string Source, string By, string State, long Bytes, long? Total,
    string? Message, DateTimeOffset Queued, DateTimeOffset? Ended, long Version, int? Status, ImageReply? Image);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(ImageReply))]
[JsonSerializable(typeof(ImageReply[]))]
[JsonSerializable(typeof(ImageFetchRequest))]
[JsonSerializable(typeof(ImageNameRequest))]
[JsonSerializable(typeof(ImageDoneReply))]
[JsonSerializable(typeof(ImageJobReply))]
[JsonSerializable(typeof(ImageJobReply[]))]
internal sealed partial class ImageJson : JsonSerializerContext;
