using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Tests.Site;

/// <summary>The one snapshot: swapped only for a valid file, and every service hears of it.</summary>
public class SiteStateTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"netbootpi-state-{Guid.NewGuid():N}.yaml");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void A_handler_that_throws_is_logged_and_the_others_still_get_the_new_site()
    {
        File.WriteAllText(_path, SiteText.Minimal);
        var log = new CapturingLogger();
        var state = new SiteState(_path, SiteFile.Load(_path).Inventory!, new CapturingLogger<SiteState>(log));
        var seen = new List<string>();
        state.Changed += s => seen.Add("first " + s.Hosts.Length);
        state.Changed += _ => throw new InvalidOperationException("broken handler");
        state.Changed += s => seen.Add("third " + s.Hosts.Length);

        File.WriteAllText(_path, SiteText.Minimal + "\n  c: { mac: 00:00:00:00:00:03, ip: 10.0.0.12 }");
        var result = state.Reload();

        Assert.NotNull(result.Inventory);
        Assert.Same(result.Inventory, state.Current);
        Assert.Equal(["first 3", "third 3"], seen);
        Assert.Contains(log.Entries, e => e.EventId == 13 && e.Level == LogLevel.Error);
    }

    [Fact]
    public void An_invalid_file_leaves_the_snapshot_and_tells_no_one()
    {
        File.WriteAllText(_path, SiteText.Minimal);
        var state = new SiteState(_path, SiteFile.Load(_path).Inventory!);
        var before = state.Current;
        var told = 0;
        state.Changed += _ => told++;

        File.WriteAllText(_path, SiteText.Minimal.WithLine(15, "  a: { mac: 00:00:00:00:00:01, ip: 10.0.0.300 }"));
        var result = state.Reload();

        Assert.Null(result.Inventory);
        Assert.Same(before, state.Current);
        Assert.Equal(0, told);
    }
}
