using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Kvm;
using NetbootPi.Agent.Media.Catalog;
using NetbootPi.Hardware.UsbGadget;

namespace NetbootPi.Agent.Kvmd;

// kvmd's MSD (kvmd/apps/kvmd/api/msd.py, kvmd/plugins/msd/otg) on the image catalog and the console host's drive.
// kvmd's drive is chosen first (set_params: image, cdrom, rw) and then connected; the box's drive takes an image in
// one step, so the choice is kept here, in memory, until set_connected=1 puts it in the drive through KvmService.
public sealed partial class KvmdEndpoints
{
    private readonly Lock _choice = new();
    private string? _image;
    private bool _cdrom = true;
    private bool _rw;

    // kvmd's own test of an image argument that is a URL (kvmd/apps/kvmd/api/msd.py).
    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9._+-]+[a-zA-Z]://[a-zA-Z0-9\[]")]
    private static partial Regex UrlLike();

    /// <summary>kvmd's NDJSON lines: one object a line, not indented.</summary>
    private static readonly KvmdJson Lines = new(new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });

    private async Task MsdAsync(HttpContext context, ControlCaller caller)
    {
        var list = catalog.List();
        var imagesByName = new Dictionary<string, KvmdImage>(StringComparer.Ordinal);
        foreach (var i in list) imagesByName[i.Name] = new KvmdImage(true, true, Writable(i.Name), i.Size, ModTs(i));
        var parts = new Dictionary<string, KvmdPart>(StringComparer.Ordinal);
        if (Space() is { } space) parts[""] = space;
        var writing = jobs.All.FirstOrDefault(j => !j.IsOver) is { } job ? new KvmdWriting(job.Name, job.Total ?? 0, job.Bytes) : null;
        var storage = new KvmdStorage(imagesByName, parts, null, writing);
        KvmdDrive? drive = null;
        if (kvm?.Gadget is { } gadget)
        {
            var media = gadget.Media;
            if (media.File is { } file)
            {
                var name = Path.GetFileName(file);
                drive = new KvmdDrive(DriveImage(name, Path.GetDirectoryName(file) == catalog.Root), true, media.Mode == MediaMode.CdRom, !media.ReadOnly);
            }
            else
                lock (_choice) drive = new KvmdDrive(_image is { } chosen ? DriveImage(chosen, true) : null, false, _cdrom, _rw);
        }
        await KvmdReplies.WriteAsync(context, StatusCodes.Status200OK,
            new KvmdMsdReply(true, new KvmdMsdState(state.Current.Kvm is not null && kvm is not null, kvm?.Gadget is not null, writing is not null, storage, drive)),
            KvmdJson.Default.KvmdMsdReply).ConfigureAwait(false);
    }

    private KvmdDriveImage? DriveImage(string name, bool inStorage) => catalog.Find(name) is { } i
        ? new KvmdDriveImage(i.Name, inStorage, true, inStorage, Writable(i.Name), i.Size, ModTs(i))
        : null;

    /// <summary>Whether the image may go in as a writable disk: not when it holds an ISO 9660 file system (a CD's).</summary>
    private bool Writable(string name) =>
        MediaImages.TryResolve(state.Current.Server.DataDirectory, name, out var path, out _) && !MediaImages.IsIso9660(path);

    private static double ModTs(CatalogImage image) => image.Added.ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>The catalog's file system as kvmd's one partition: its size and free bytes.</summary>
    private KvmdPart? Space()
    {
        try
        {
            var folder = Directory.Exists(catalog.Root) ? catalog.Root : state.Current.Server.DataDirectory;
            var drive = new DriveInfo(folder);
            return new KvmdPart(drive.TotalSize, drive.AvailableFreeSpace, true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>False after answering why there is no drive (kvmd's MsdOfflineError).</summary>
    private async Task<bool> DriveThereAsync(HttpContext context)
    {
        if (kvm?.Gadget is not null) return true;
        await KvmdReplies.ErrorAsync(context, StatusCodes.Status400BadRequest, "MsdOfflineError", kvm is null || state.Current.Kvm is null
            ? "the site names no console host (kvm: { host: NAME }; docs/console.md), so there is no drive"
            : $"{kvm.Failure ?? $"the USB gadget for the console host {state.Current.Kvm.Host} was not built"}; fix it and restart the agent (systemctl restart netbootpi)").ConfigureAwait(false);
        return false;
    }

    /// <summary>A boolean query parameter: null when absent, false after answering 400 when not one.</summary>
    private static async Task<(bool Ok, bool? Value)> BoolQueryAsync(HttpContext context, string name)
    {
        if (!context.Request.Query.TryGetValue(name, out var raw)) return (true, null);
        if (KvmdReplies.Bool(raw.ToString()) is { } value) return (true, value);
        await KvmdReplies.InvalidAsync(context, raw.ToString(), "bool (['1', 'true', 'yes'] or ['0', 'false', 'no'])", $"{name}=1 or {name}=0").ConfigureAwait(false);
        return (false, null);
    }

    private async Task SetParamsAsync(HttpContext context, ControlCaller caller)
    {
        var (cdromOk, cdrom) = await BoolQueryAsync(context, "cdrom").ConfigureAwait(false);
        if (!cdromOk) return;
        var (rwOk, rw) = await BoolQueryAsync(context, "rw").ConfigureAwait(false);
        if (!rwOk) return;
        string? image = context.Request.Query.TryGetValue("image", out var raw) ? raw.ToString().Trim() : null;
        if (image is { Length: > 0 })
        {
            if (UrlLike().IsMatch(image))
            {
                await KvmdReplies.ErrorAsync(context, StatusCodes.Status400BadRequest, "MsdRemoteDisabledError",
                    "Remote images binding is disabled: download the image into the catalog first (POST /api/msd/write_remote?url=...), then choose it by name").ConfigureAwait(false);
                return;
            }
            if (ImageName.Refusal(image) is { } bad)
            {
                await KvmdReplies.InvalidAsync(context, image, "MSD image name", bad).ConfigureAwait(false);
                return;
            }
        }
        if (!await DriveThereAsync(context).ConfigureAwait(false)) return;
        if (kvm!.Gadget!.Media.File is not null)
        {
            await ConnectedAsync(context).ConfigureAwait(false);
            return;
        }
        if (image is { Length: > 0 } && catalog.Find(image) is null)
        {
            await KvmdReplies.ErrorAsync(context, StatusCodes.Status400BadRequest, "MsdUnknownImageError",
                $"The image is not found in the storage: the catalog has no image {image} (GET /api/msd lists them)").ConfigureAwait(false);
            return;
        }
        lock (_choice)
        {
            if (image is not null) _image = image.Length == 0 ? null : image;
            if (cdrom is { } c) _cdrom = c;
            if (rw is { } w) _rw = w;
            // As kvmd: a CD-ROM, or an image that cannot be written, is read-only whatever was asked.
            if (_rw && (_cdrom || (_image is { } chosen && !Writable(chosen)))) _rw = false;
        }
        await KvmdReplies.DoneAsync(context).ConfigureAwait(false);
    }

    private static Task ConnectedAsync(HttpContext context) =>
        KvmdReplies.ErrorAsync(context, StatusCodes.Status400BadRequest, "MsdConnectedError",
            "MSD is connected to Server, but shouldn't for this operation: disconnect it first (POST /api/msd/set_connected?connected=0)");

    private async Task SetConnectedAsync(HttpContext context, ControlCaller caller)
    {
        var (ok, connected) = await BoolQueryAsync(context, "connected").ConfigureAwait(false);
        if (!ok) return;
        if (connected is null)
        {
            await KvmdReplies.InvalidAsync(context, null, "bool (['1', 'true', 'yes'] or ['0', 'false', 'no'])", "connected=1 or connected=0").ConfigureAwait(false);
            return;
        }
        if (!await DriveThereAsync(context).ConfigureAwait(false)) return;
        var inDrive = kvm!.Gadget!.Media.File is not null;
        try
        {
            if (connected.Value)
            {
                if (inDrive)
                {
                    await ConnectedAsync(context).ConfigureAwait(false);
                    return;
                }
                string? image;
                bool cdrom, rw;
                lock (_choice) (image, cdrom, rw) = (_image, _cdrom, _rw);
                if (image is null)
                {
                    await KvmdReplies.ErrorAsync(context, StatusCodes.Status400BadRequest, "MsdImageNotSelected",
                        "The image is not selected: choose one first (POST /api/msd/set_params?image=NAME)").ConfigureAwait(false);
                    return;
                }
                if (!MediaImages.TryResolve(state.Current.Server.DataDirectory, image, out var path, out var error))
                {
                    await KvmdReplies.ErrorAsync(context, StatusCodes.Status400BadRequest, "MsdUnknownImageError", error).ConfigureAwait(false);
                    return;
                }
                kvm.AttachImage(image, path, cdrom ? MediaMode.CdRom : MediaMode.Disk, !rw, caller.EventClient);
            }
            else
            {
                if (!inDrive)
                {
                    await KvmdReplies.ErrorAsync(context, StatusCodes.Status400BadRequest, "MsdDisconnectedError",
                        "MSD is disconnected from Server, but should be for this operation: the drive is empty").ConfigureAwait(false);
                    return;
                }
                kvm.EjectImage(caller.EventClient);
            }
        }
        catch (UsbGadgetException e)
        {
            await KvmdReplies.ErrorAsync(context, StatusCodes.Status400BadRequest, "MsdOperationError", e.Message).ConfigureAwait(false);
            return;
        }
        await KvmdReplies.DoneAsync(context).ConfigureAwait(false);
    }

    /// <summary>The image name of kvmd's <c>image</c> (and <c>prefix</c>, which the catalog has no folders for); null after answering 400.</summary>
    private static async Task<string?> ImageQueryAsync(HttpContext context, bool required)
    {
        if (context.Request.Query["prefix"].ToString() is { Length: > 0 } prefix)
        {
            await KvmdReplies.InvalidAsync(context, prefix, "MSD image prefix", "the catalog has no folders; leave prefix out").ConfigureAwait(false);
            return null;
        }
        var name = context.Request.Query["image"].ToString().Trim();
        if (name.Length == 0 && !required) return "";
        if (ImageName.Refusal(name) is { } bad)
        {
            await KvmdReplies.InvalidAsync(context, name, "MSD image name", bad).ConfigureAwait(false);
            return null;
        }
        return name;
    }

    private async Task WriteAsync(HttpContext context, ControlCaller caller)
    {
        if (await ImageQueryAsync(context, required: true).ConfigureAwait(false) is not { } name) return;
        try
        {
            var image = await images.AddUploadAsync(context, name, null, caller).ConfigureAwait(false);
            await KvmdReplies.WriteAsync(context, StatusCodes.Status200OK, new KvmdWriteReply(true, new KvmdWriteInfo(new KvmdWriting(image.Name, image.Size, image.Size))),
                KvmdJson.Default.KvmdWriteReply).ConfigureAwait(false);
        }
        catch (CatalogException e)
        {
            if (!context.RequestAborted.IsCancellationRequested) await CatalogErrorAsync(context, e).ConfigureAwait(false);
        }
    }

    private async Task WriteRemoteAsync(HttpContext context, ControlCaller caller)
    {
        if (await ImageQueryAsync(context, required: false).ConfigureAwait(false) is not { } name) return;
        var url = context.Request.Query["url"].ToString().Trim();
        if (url.Length == 0)
        {
            await KvmdReplies.InvalidAsync(context, null, "URL", "url=http(s)://...").ConfigureAwait(false);
            return;
        }
        ImageJob job;
        try
        {
            job = downloads.Enqueue(url, name.Length == 0 ? null : name, null, caller.EventClient);
        }
        catch (CatalogException e)
        {
            await CatalogErrorAsync(context, e).ConfigureAwait(false);
            return;
        }
        // As kvmd: a download that fails at once (no such host, refused) is a plain 400; once it runs, its progress
        // is a line of JSON a second or so, and its end (or failure) the last line.
        var version = job.Version;
        while (job.State == ImageJobState.Queued)
        {
            await job.WaitAsync(version, ImageEndpoints.LongPoll, jobs.Time, context.RequestAborted).ConfigureAwait(false);
            version = job.Version;
        }
        if (job.State == ImageJobState.Failed)
        {
            await KvmdReplies.ErrorAsync(context, StatusCodes.Status400BadRequest, ErrorName(job.Failure ?? CatalogFailure.FetchFailed), job.Message ?? "the download failed")
                .ConfigureAwait(false);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/x-ndjson";
        var shown = DateTimeOffset.MinValue;
        while (true)
        {
            var now = jobs.Time.GetUtcNow();
            if (job.IsOver || now - shown >= TimeSpan.FromSeconds(1))
            {
                await LineAsync(context, new KvmdWriteReply(true, new KvmdWriteInfo(new KvmdWriting(job.Name, job.Total ?? job.Bytes, job.Bytes)))).ConfigureAwait(false);
                shown = now;
            }
            if (job.IsOver) break;
            version = job.Version;
            await job.WaitAsync(version, TimeSpan.FromSeconds(1), jobs.Time, context.RequestAborted).ConfigureAwait(false);
        }
        if (job.State == ImageJobState.Failed)
            await LineAsync(context, new KvmdErrorReply(false, new KvmdError(ErrorName(job.Failure ?? CatalogFailure.FetchFailed), job.Message ?? "the download failed")))
                .ConfigureAwait(false);
    }

    private static async Task LineAsync<T>(HttpContext context, T value)
    {
        var type = (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)Lines.GetTypeInfo(typeof(T))!;
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, type);
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.WriteAsync("\r\n"u8.ToArray(), context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private async Task RemoveAsync(HttpContext context, ControlCaller caller)
    {
        if (await ImageQueryAsync(context, required: true).ConfigureAwait(false) is not { } name) return;
        try
        {
            images.Remove(name, caller);
        }
        catch (CatalogException e)
        {
            await CatalogErrorAsync(context, e).ConfigureAwait(false);
            return;
        }
        lock (_choice)
            if (_image == name) _image = null;
        await KvmdReplies.DoneAsync(context).ConfigureAwait(false);
    }

    /// <summary>A catalog's refusal as kvmd answers its MSD's: 400 and the error's name, 409 when busy; the box's sentence.</summary>
    private static Task CatalogErrorAsync(HttpContext context, CatalogException e) =>
        KvmdReplies.ErrorAsync(context, e.Failure == CatalogFailure.Busy ? StatusCodes.Status409Conflict
            : e.Failure == CatalogFailure.Io ? StatusCodes.Status500InternalServerError : StatusCodes.Status400BadRequest,
            ErrorName(e.Failure), e.Message);

    private static string ErrorName(CatalogFailure failure) => failure switch
    {
        CatalogFailure.BadName or CatalogFailure.BadRequest => "ValidatorError",
        CatalogFailure.Exists => "MsdImageExistsError",
        CatalogFailure.NotFound => "MsdUnknownImageError",
        CatalogFailure.Busy => "MsdIsBusyError",
        _ => "MsdOperationError",
    };
}
