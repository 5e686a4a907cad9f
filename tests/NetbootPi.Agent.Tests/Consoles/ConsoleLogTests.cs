using NetbootPi.Agent.Consoles;

namespace NetbootPi.Agent.Tests.Consoles;

/// <summary>A host's console log: a line each with its time, bounded by one rotation.</summary>
public sealed class ConsoleLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-console-").FullName;
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 1, 2, 3, 456, TimeSpan.Zero);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Lines_are_stamped_and_the_last_one_is_remembered()
    {
        using var log = new ConsoleLog(_dir, "nuc1");
        Assert.Null(log.Last);
        log.Append(T0, ["Booting", "login: "]);
        Assert.Equal(["2026-12-07T01:02:03.456Z Booting", "2026-12-07T01:02:03.456Z login: "],
            File.ReadAllLines(Path.Combine(_dir, "consoles", "nuc1.log")));
        Assert.Equal(new ConsoleLine(T0, "login: "), log.Last);
    }

    [Fact]
    public void Past_its_size_the_log_rotates_once_and_the_tail_reads_across_both_files()
    {
        using var log = new ConsoleLog(_dir, "nuc1", maxBytes: 200);
        for (var i = 0; i < 30; i++) log.Append(T0.AddSeconds(i), [$"line {i:00}"]);
        var current = new FileInfo(Path.Combine(_dir, "consoles", "nuc1.log"));
        var rotated = new FileInfo(Path.Combine(_dir, "consoles", "nuc1.log.1"));
        Assert.True(current.Length <= 200 && rotated.Length <= 200, $"{current.Length} and {rotated.Length} bytes");
        var tail = ConsoleLog.Tail(_dir, "nuc1", 5);
        Assert.Equal(["line 25", "line 26", "line 27", "line 28", "line 29"], tail.Select(l => l[25..]));
        // Everything kept, oldest first, with no line lost between the two files.
        var all = ConsoleLog.Tail(_dir, "nuc1", 1000).Select(l => int.Parse(l[30..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(all[0], 30 - all[0]), all);
        Assert.Empty(ConsoleLog.Tail(_dir, "nobody", 5));
    }
}
