namespace NetbootPi.Agent.Media.Catalog;

/// <summary>Where an add stands.</summary>
public enum ImageJobState { Queued, Running, Done, Failed }

/// <summary>
/// One add in progress or recently ended (an upload, a download), as <c>GET /api/v1/images/jobs</c> shows it.
/// Every change bumps <see cref="Version"/> and wakes whoever waits for one (<see cref="WaitAsync"/>): the CLI
/// follows a download by waiting for the next change, not by polling.
/// </summary>
public sealed class ImageJob
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _cancel = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ImageJob(string id, string name, string kind, string source, string by, string? sha256, DateTimeOffset queued)
    {
        (Id, Name, Kind, Source, By, Sha256, Queued) = (id, name, kind, source, by, sha256, queued);
    }

    public string Id { get; }
    public string Name { get; }

    /// <summary><c>upload</c> or <c>fetch</c>.</summary>
    public string Kind { get; }

    /// <summary>The URL as shown (its query, which may hold a signature, left out), or <c>upload</c>.</summary>
    public string Source { get; }

    /// <summary>The URL fetched, query and all; null for an upload. Never logged nor listed.</summary>
    public Uri? Url { get; init; }
    public string By { get; }
    public string? Sha256 { get; }
    public DateTimeOffset Queued { get; }

    public ImageJobState State { get; private set; }
    public long Bytes { get; private set; }

    /// <summary>The length the sender announced, when it did.</summary>
    public long? Total { get; private set; }

    /// <summary>What went wrong (<see cref="ImageJobState.Failed"/>), or a note on how it went (resumed at N bytes).</summary>
    public string? Message { get; private set; }

    /// <summary>How it failed, for the API's status when it waited for the end.</summary>
    public CatalogFailure? Failure { get; private set; }
    public DateTimeOffset? Ended { get; private set; }
    public CatalogImage? Image { get; private set; }
    public long Version { get; private set; }

    public bool IsOver => State is ImageJobState.Done or ImageJobState.Failed;

    /// <summary>Who cancelled it (<see cref="RequestCancel"/>), or null.</summary>
    public string? CancelledBy { get; private set; }

    /// <summary>Cancelled when someone cancels the job: the download stops and keeps nothing.</summary>
    public CancellationToken Cancellation => _cancel.Token;

    /// <summary>Asks the job to stop, once; false when it is over already or was cancelled before.</summary>
    public bool RequestCancel(string by)
    {
        lock (_gate)
        {
            if (IsOver || CancelledBy is not null) return false;
            CancelledBy = by;
        }
        _cancel.Cancel();
        return true;
    }

    public void Running(long? total, string? message = null) => Change(() =>
    {
        State = ImageJobState.Running;
        Total = total;
        if (message is not null) Message = message;
    });

    public void Progress(long bytes) => Change(() => Bytes = bytes);

    public void Succeeded(CatalogImage image, DateTimeOffset at) => Change(() =>
    {
        (State, Image, Bytes, Ended) = (ImageJobState.Done, image, image.Size, at);
    });

    public void Failed(CatalogFailure failure, string message, DateTimeOffset at) => Change(() =>
    {
        (State, Failure, Message, Ended) = (ImageJobState.Failed, failure, message, at);
    });

    private void Change(Action change)
    {
        TaskCompletionSource woken;
        lock (_gate)
        {
            change();
            Version++;
            woken = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        woken.TrySetResult();
    }

    /// <summary>Waits until the job is over or <paramref name="limit"/> passes (whichever comes first).</summary>
    public async Task WaitForEndAsync(TimeSpan limit, TimeProvider time, CancellationToken cancellation)
    {
        var until = time.GetUtcNow() + limit;
        while (!IsOver && time.GetUtcNow() < until)
            await WaitAsync(Version, until - time.GetUtcNow(), time, cancellation).ConfigureAwait(false);
    }

    /// <summary>Waits until <see cref="Version"/> passes <paramref name="after"/>, the job is over, or <paramref name="limit"/> passes.</summary>
    public async Task WaitAsync(long after, TimeSpan limit, TimeProvider time, CancellationToken cancellation)
    {
        Task changed;
        lock (_gate)
        {
            if (Version > after || IsOver) return;
            changed = _changed.Task;
        }
        try
        {
            await changed.WaitAsync(limit, time, cancellation).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Nothing new within the limit: the caller answers with what there is.
        }
    }
}
