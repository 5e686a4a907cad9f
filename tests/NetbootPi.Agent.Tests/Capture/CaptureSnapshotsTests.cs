using Microsoft.Extensions.Logging.Abstractions;
using NetbootPi.Agent.Capture;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Os.Tools;
using NetbootPi.Agent.Power;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tests.Site;

namespace NetbootPi.Agent.Tests.Capture;

/// <summary>
/// The snapshots kept with the console host's events, on a plain box (no capture device: the capture never starts,
/// systemd is never asked): which names are served, what is listed, and a snapshot that cannot be taken is an event
/// saying why.
/// </summary>
public sealed class CaptureSnapshotsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nbp-snapshots-").FullName;
    private readonly BootEventLog _events;
    private readonly CaptureService _capture;
    private readonly CaptureSnapshots _snapshots;

    public CaptureSnapshotsTests()
    {
        var text = SiteText.Minimal
            + $"\nserver: {{ state_dir: {_dir}/state, data_dir: {_dir}/data }}\nkvm: {{ host: a, capture: {{ snapshots: 2 }} }}\n";
        var site = SiteText.Load(text);
        Assert.Empty(site.Errors);
        var state = new SiteState(Path.Combine(_dir, "site.yaml"), site.Inventory!);
        Directory.CreateDirectory(Path.Combine(_dir, "state"));
        _events = new BootEventLog(Path.Combine(_dir, "state"), NullLogger<BootEventLog>.Instance);
        _capture = new CaptureService(state, SystemdManager.ForSystemBus(), new ToolRunner(TimeProvider.System), _events, TimeProvider.System,
            NullLogger<CaptureService>.Instance);
        _snapshots = new CaptureSnapshots(state, _capture, new HostPowerService(state, _events, TimeProvider.System), AtomicFiles.Local,
            TimeProvider.System, NullLogger<CaptureSnapshots>.Instance);
    }

    public void Dispose()
    {
        _snapshots.Dispose();
        _capture.Dispose();
        _events.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Only_kept_snapshots_by_their_own_names_are_found_and_listed()
    {
        var folder = Path.Combine(_dir, "data", "snapshots");
        Assert.Equal(folder, _snapshots.Folder);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "20261207T101500.000Z-a-power-on.jpg"), [0xFF, 0xD8, 0xFF, 0xD9]);
        File.WriteAllBytes(Path.Combine(folder, "20261207T101400.000Z-a-recovery.jpg"), [0xFF, 0xD8, 0xFF, 0xD9, 0]);
        File.WriteAllBytes(Path.Combine(folder, ".20261207T101600.000Z-a-power-on.jpg.tmp.jpg"), [1]);
        File.WriteAllText(Path.Combine(_dir, "secret.jpg"), "not a snapshot");
        File.CreateSymbolicLink(Path.Combine(folder, "link.jpg"), Path.Combine(_dir, "secret.jpg"));

        Assert.Equal(Path.Combine(folder, "20261207T101500.000Z-a-power-on.jpg"), _snapshots.Find("20261207T101500.000Z-a-power-on.jpg"));
        foreach (var name in new[] { "../secret.jpg", "link.jpg", ".20261207T101600.000Z-a-power-on.jpg.tmp.jpg", "a/b.jpg", "none.jpg", "x.png", "" })
            Assert.Null(_snapshots.Find(name));
        Assert.Equal([("20261207T101400.000Z-a-recovery.jpg", 5L), ("20261207T101500.000Z-a-power-on.jpg", 4L)],
            _snapshots.List().Select(s => (s.Name, s.Bytes)));
    }

    [Fact]
    public async Task A_snapshot_while_the_capture_does_not_run_is_an_event_saying_so_and_keeps_nothing()
    {
        Assert.Null(await _snapshots.TakeAsync("a", "recovery", "before recovery's power cycle (test)", TestContext.Current.CancellationToken));
        var e = Assert.Single(_events.Recent("a"), e => e.Kind == BootEventKind.Capture);
        Assert.Equal(("capture", 1, "no snapshot before recovery's power cycle (test): the capture is not running (netbootpi capture start)"), (e.Client, e.Status, e.Path));
        Assert.False(Directory.Exists(_snapshots.Folder));
    }
}
