using Microsoft.Extensions.Logging.Abstractions;
using NetbootPi.Agent.Events;

namespace NetbootPi.Agent.Tests.Events;

public class BootEventLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-events-").FullName;
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 16, 0, 0, TimeSpan.Zero);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static BootEvent Event(int i, string? host = "napalm") =>
        new(T0.AddSeconds(i), "10.69.1.1", host, BootEventKind.Kernel, $"/files/alpine/vmlinuz-{i}", 200, 1000 + i);

    [Fact]
    public void A_line_is_json_with_every_field_and_reads_back()
    {
        var e = Event(1);
        var line = System.Text.Encoding.UTF8.GetString(BootEventLog.Serialize(e));
        Assert.Equal("""{"time":"2026-11-23T16:00:01.000Z","client":"10.69.1.1","host":"napalm","what":"kernel","path":"/files/alpine/vmlinuz-1","status":200,"bytes":1001}""" + "\n", line);
        Assert.Equal(e, BootEventLog.Parse(line));
        Assert.Null(BootEventLog.Parse(System.Text.Encoding.UTF8.GetString(BootEventLog.Serialize(Event(2, host: null))))!.Host);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("""{"time":"2026-11-23T16:00:01.000Z","client":"x","what":"nonsense","path":"/","status":200,"bytes":1}""")]
    [InlineData("""{"time":"yesterday","client":"x","what":"kernel","path":"/","status":200,"bytes":1}""")]
    [InlineData("""{"time":"2026-11-23T16:00:01.000Z","client":"x","what":"kernel","path":"/","status":200}""")]
    public void Lines_that_are_not_events_are_skipped(string line) => Assert.Null(BootEventLog.Parse(line));

    [Fact]
    public void The_ring_keeps_the_most_recent_and_filters_by_host()
    {
        using var log = new BootEventLog(_dir, NullLogger<BootEventLog>.Instance);
        for (var i = 0; i < BootEventLog.RingCapacity + 10; i++) log.Record(Event(i, i % 2 == 0 ? "a" : "b"));
        var recent = log.Recent();
        Assert.Equal(BootEventLog.RingCapacity, recent.Count);
        Assert.Equal(10, recent[0].Bytes - 1000);
        Assert.Equal(BootEventLog.RingCapacity + 9, recent[^1].Bytes - 1000);
        Assert.All(log.Recent("A"), e => Assert.Equal("a", e.Host));
        Assert.Equal(BootEventLog.RingCapacity / 2, log.Recent("a").Count);
    }

    [Fact]
    public void The_file_rotates_at_its_cap_and_both_files_read_back_in_order()
    {
        var lineLength = BootEventLog.Serialize(Event(100)).Length;
        using (var log = new BootEventLog(_dir, NullLogger<BootEventLog>.Instance, maxFileBytes: lineLength * 10))
            for (var i = 100; i < 125; i++) log.Record(Event(i));
        var current = new FileInfo(Path.Combine(_dir, BootEventLog.FileName));
        Assert.True(current.Length <= lineLength * 10);
        Assert.True(File.Exists(current.FullName + ".1"));
        // 25 written, 10 per file: 100-109 rotated out twice over, 110-119 in .1, 120-124 current.
        var read = BootEventLog.ReadFiles(_dir).Select(e => (int)(e.Bytes - 1000)).ToList();
        Assert.Equal(Enumerable.Range(110, 15), read);
    }

    [Fact]
    public void Every_event_recorded_before_dispose_is_in_the_file_in_order()
    {
        // More than the writer's queue and many batches: the log neither drops nor reorders under a burst.
        const int n = 20_000;
        using (var log = new BootEventLog(_dir, NullLogger<BootEventLog>.Instance, maxFileBytes: long.MaxValue))
            for (var i = 0; i < n; i++) log.Record(Event(i));
        Assert.Equal(Enumerable.Range(0, n), BootEventLog.ReadFiles(_dir).Select(e => (int)(e.Bytes - 1000)));
    }

    [Fact]
    public void The_cap_counts_what_an_earlier_run_left_in_the_file()
    {
        var lineLength = BootEventLog.Serialize(Event(100)).Length;
        using (var log = new BootEventLog(_dir, NullLogger<BootEventLog>.Instance, maxFileBytes: lineLength * 10))
            for (var i = 100; i < 108; i++) log.Record(Event(i));
        using (var log = new BootEventLog(_dir, NullLogger<BootEventLog>.Instance, maxFileBytes: lineLength * 10))
            for (var i = 108; i < 113; i++) log.Record(Event(i));
        // 8 + 2 fill the first file; the next run's third event starts a new one.
        Assert.Equal(Enumerable.Range(100, 10), BootEventLog.ReadFiles(_dir).Take(10).Select(e => (int)(e.Bytes - 1000)));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(_dir, BootEventLog.FileName)).Length);
    }

    [Fact]
    public void An_unwritable_state_directory_leaves_the_ring_working()
    {
        var file = Path.Combine(_dir, "not-a-dir");
        File.WriteAllText(file, "");
        using var log = new BootEventLog(file, NullLogger<BootEventLog>.Instance);
        log.Record(Event(1));
        Assert.Single(log.Recent());
    }
}
