using Microsoft.Extensions.Logging.Abstractions;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tests.Site;
using NetbootPi.Agent.Tests.Support;
using NetbootPi.Agent.Upstream;

namespace NetbootPi.Agent.Tests.Upstream;

/// <summary>The upstream cache against a local mirror: fetch once, serve offline, never a partial file.</summary>
public class UpstreamCacheTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-cache-").FullName;
    private readonly TestMirror _mirror = new();
    private readonly HttpClient _http = UpstreamHttp.CreateClient();
    private readonly byte[] _kernel = new byte[3 * 1024 * 1024 + 5];

    public UpstreamCacheTests()
    {
        new Random(3).NextBytes(_kernel);
        _mirror.Files["/alpine/v3.20/releases/x86_64/netboot-3.20.3/vmlinuz-lts"] = _kernel;
        _mirror.Files["/alpine/v3.20/releases/x86_64/netboot-3.20.3/initramfs-virt"] = [1, 2, 3];
        _mirror.Files["/debian/linux"] = [4, 5, 6];
    }

    public void Dispose()
    {
        _http.Dispose();
        _mirror.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private SiteInventory Site()
    {
        var result = SiteText.Load($$"""
            site: { name: c }
            networks:
              lan: { interface: eth0, address: 10.0.0.1/24 }
            profiles:
              alpine:
                alpine: { mirror: {{_mirror.Url}}/alpine, branch: v3.20, version: 3.20.3 }
              deb: { kernel: {{_mirror.Url}}/debian/linux, initrd: deb/initrd.img }
            defaults: { profile: alpine }
            """);
        Assert.Empty(result.Errors);
        return result.Inventory!;
    }

    private UpstreamCache Cache() => new(_dir, AtomicFiles.Local, _http, NullLogger<UpstreamCache>.Instance);

    private string[] CacheFiles() =>
        Directory.Exists(Path.Combine(_dir, "cache")) ? Directory.GetFiles(Path.Combine(_dir, "cache")) : [];

    [Fact]
    public void Artifacts_are_those_the_profiles_name()
    {
        var site = Site();
        var alpine = UpstreamArtifacts.Of(site.FindProfile("alpine")!);
        Assert.Equal(["initramfs-lts", "initramfs-virt", "modloop-lts", "modloop-virt", "vmlinuz-lts", "vmlinuz-virt"], alpine.Keys.Order());
        Assert.Equal($"{_mirror.Url}/alpine/v3.20/releases/x86_64/netboot-3.20.3/modloop-virt", alpine["modloop-virt"]);
        // Only the URL of a kernel profile; its data-directory initrd is no mirror artifact.
        Assert.Equal(new Dictionary<string, string> { ["linux"] = $"{_mirror.Url}/debian/linux" }, UpstreamArtifacts.Of(site.FindProfile("deb")!));
    }

    [Fact]
    public async Task Fetched_once_then_served_while_the_mirror_is_down()
    {
        var site = Site();
        using var cache = Cache();
        var first = await cache.GetAsync(site, "alpine", "vmlinuz-lts");
        Assert.Equal(UpstreamFailure.None, first.Failure);
        Assert.Equal(_kernel, await File.ReadAllBytesAsync(first.Path!, TestContext.Current.CancellationToken));
        _mirror.Dispose();
        var again = await cache.GetAsync(site, "alpine", "vmlinuz-lts");
        Assert.Equal((first.Path, UpstreamFailure.None), (again.Path, again.Failure));
        Assert.Single(_mirror.Requests);
        Assert.Equal(UpstreamFailure.FetchFailed, (await cache.GetAsync(site, "deb", "linux")).Failure); // never fetched, mirror gone
    }

    [Theory]
    [InlineData("alpine", "vmlinuz-edge")]      // a flavor the profile never offers
    [InlineData("alpine", "../../etc/passwd")]
    [InlineData("deb", "initrd.img")]           // served from the data directory, not a mirror
    [InlineData("nope", "vmlinuz-lts")]
    public async Task Nothing_the_site_does_not_name_is_fetched(string profile, string name)
    {
        using var cache = Cache();
        var r = await cache.GetAsync(Site(), profile, name);
        Assert.Equal(UpstreamFailure.NotNamedBySite, r.Failure);
        Assert.Empty(_mirror.Requests);
    }

    [Fact]
    public async Task A_mirror_dying_half_way_leaves_nothing_cached_and_the_next_request_fetches_again()
    {
        var site = Site();
        using var cache = Cache();
        _mirror.DieHalfWay = true;
        var broken = await cache.GetAsync(site, "alpine", "vmlinuz-lts");
        Assert.Equal(UpstreamFailure.FetchFailed, broken.Failure);
        Assert.Null(broken.Path);
        Assert.Empty(CacheFiles()); // neither a partial file nor a temporary one

        _mirror.DieHalfWay = false;
        var good = await cache.GetAsync(site, "alpine", "vmlinuz-lts");
        Assert.Equal(UpstreamFailure.None, good.Failure);
        Assert.Equal(_kernel, await File.ReadAllBytesAsync(good.Path!, TestContext.Current.CancellationToken));
        Assert.Equal(2, _mirror.Requests.Count);
    }

    [Fact]
    public async Task A_missing_artifact_on_the_mirror_is_a_failure_not_an_empty_file()
    {
        using var cache = Cache();
        var r = await cache.GetAsync(Site(), "alpine", "modloop-lts");
        Assert.Equal(UpstreamFailure.FetchFailed, r.Failure);
        Assert.Contains("404", r.Detail);
        Assert.Empty(CacheFiles());
    }

    [Fact]
    public async Task Concurrent_requests_share_one_download()
    {
        var site = Site();
        using var cache = Cache();
        _mirror.Gate = new SemaphoreSlim(0);
        var requests = Enumerable.Range(0, 5).Select(_ => cache.GetAsync(site, "alpine", "vmlinuz-lts")).ToList();
        _mirror.Gate.Release(5);
        var results = await Task.WhenAll(requests);
        Assert.All(results, r => Assert.Equal(UpstreamFailure.None, r.Failure));
        Assert.Single(_mirror.Requests);
    }
}
