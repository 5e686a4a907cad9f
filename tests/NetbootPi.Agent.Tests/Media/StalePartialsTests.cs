using Microsoft.Extensions.Time.Testing;
using NetbootPi.Agent.Media.Catalog;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tests.Site;

namespace NetbootPi.Agent.Tests.Media;

/// <summary>
/// The parts of interrupted downloads nobody resumed: removed after a week with the URL kept beside them; a recent
/// one, or one being added now, stays.
/// </summary>
public sealed class StalePartialsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nbp-partials-").FullName;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly ImageCatalog _catalog;

    public StalePartialsTests()
    {
        var site = SiteText.Load(SiteText.Minimal + $"\nserver: {{ state_dir: {_dir}/state, data_dir: {_dir}/data }}\n");
        Assert.Empty(site.Errors);
        _catalog = new ImageCatalog(new SiteState(Path.Combine(_dir, "site.yaml"), site.Inventory!), AtomicFiles.Local, _time);
    }

    private string Partial(string name) => Path.Combine(_catalog.Root, ".partial", name);

    private void Write(string name, TimeSpan ago)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Partial(name))!);
        File.WriteAllText(Partial(name), name);
        File.SetLastWriteTimeUtc(Partial(name), (_time.GetUtcNow() - ago).UtcDateTime);
    }

    [Fact]
    public async Task Parts_older_than_the_limit_go_with_their_URL_and_the_rest_stay()
    {
        var week = ImageDownloads.PartialKeep;
        Write("old.iso", week + TimeSpan.FromHours(1));
        Write("old.iso.json", week + TimeSpan.FromHours(1));
        Write("recent.iso", week - TimeSpan.FromHours(1));
        Write("recent.iso.json", week + TimeSpan.FromDays(3)); // the part was written to since: it is what counts
        Write("orphan.iso.json", week + TimeSpan.FromDays(1));
        Write("adding.iso", week + TimeSpan.FromDays(1));

        // An add of that name is under way (it resumes the old part): not removed under it.
        await using (var adding = _catalog.BeginAdd("adding.iso", "uid:0", "http://mirror/adding.iso", null, "adding.iso", resume: true))
        {
            Assert.Equal(["old.iso"], _catalog.RemoveStalePartials(week));
            adding.KeepPartial = true; // it broke off again, wrote nothing, kept its part
        }
        Assert.Equal(["adding.iso", "recent.iso", "recent.iso.json"],
            Directory.EnumerateFiles(Path.Combine(_catalog.Root, ".partial")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        // Once that add has ended, its part is as old as it was.
        Assert.Equal(["adding.iso"], _catalog.RemoveStalePartials(week));
        Assert.Empty(_catalog.RemoveStalePartials(week));
        _time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(["recent.iso"], _catalog.RemoveStalePartials(week));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
