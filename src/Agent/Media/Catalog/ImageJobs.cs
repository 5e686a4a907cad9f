using NetbootPi.Agent.Os.Systemd;

namespace NetbootPi.Agent.Media.Catalog;

/// <summary>
/// The adds in progress and the last <see cref="KeepEnded"/> that ended, for <c>GET /api/v1/images/jobs</c>, and
/// the progress of the one that runs in the agent's status line (<c>netbootpi status</c>, <c>systemctl status</c>).
/// </summary>
public sealed class ImageJobs(ServiceStatus status, TimeProvider time)
{
    public const int KeepEnded = 32;
    private const string StatusPart = "media";

    private readonly Lock _gate = new();
    private readonly List<ImageJob> _jobs = [];
    private long _next;

    public TimeProvider Time => time;

    public ImageJob Add(string name, string kind, string source, string by, string? sha256, Uri? url = null)
    {
        lock (_gate)
        {
            var job = new ImageJob((++_next).ToString(System.Globalization.CultureInfo.InvariantCulture), name, kind, source, by, sha256, time.GetUtcNow()) { Url = url };
            _jobs.Add(job);
            var ended = _jobs.Where(j => j.IsOver).ToList();
            for (var i = 0; i < ended.Count - KeepEnded; i++) _jobs.Remove(ended[i]);
            return job;
        }
    }

    public IReadOnlyList<ImageJob> All
    {
        get { lock (_gate) return [.. _jobs]; }
    }

    public ImageJob? Find(string id)
    {
        lock (_gate) return _jobs.FirstOrDefault(j => j.Id == id);
    }

    /// <summary>
    /// Shows <paramref name="job"/>'s progress in the status line when it moved a step (a whole percent, or 64 MiB when
    /// the length is not known); <paramref name="shownStep"/> is the step shown last (start at -1).
    /// </summary>
    public void ShowProgress(ImageJob job, ref long shownStep)
    {
        var known = job.Total is > 0;
        var step = known ? 100 * job.Bytes / job.Total!.Value : job.Bytes >> 26;
        if (step == shownStep) return;
        shownStep = step;
        var verb = job.Kind == "upload" ? "receiving" : "downloading";
        status.Set(StatusPart, known ? $"{verb} image {job.Name}: {step}%" : $"{verb} image {job.Name}: {job.Bytes >> 20} MiB");
    }

    public void ClearProgress() => status.Set(StatusPart, null);
}
