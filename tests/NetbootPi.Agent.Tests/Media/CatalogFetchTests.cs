using System.Text.Json;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Media;

/// <summary>
/// Images added by URL: the agent (its own process) downloads them from a Kestrel server the test runs on 127.0.0.2
/// (allowed by the site) and 127.0.0.1 (not allowed): redirects counted and checked, loopback refused at connect
/// time, an endless body cut at the limit, a wrong checksum and an interrupted download resumed with Range.
/// </summary>
public class CatalogFetchTests(CatalogAgentFixture box) : IClassFixture<CatalogAgentFixture>
{
    private async Task StartAsync()
    {
        Peers.RequireRoot();
        Curl.RequireInstalled();
        await box.StartAsync();
    }

    private string[] Leftovers(string name) => [.. box.FilesUnderImages().Where(f => f.Contains(name, StringComparison.Ordinal))];

    [Fact]
    public async Task A_URL_through_three_redirects_with_its_checksum_is_added_and_listed_with_its_source()
    {
        await StartAsync();
        var (bytes, sha) = CatalogAgentFixture.Random((2 << 20) + 3, 11);
        box.Origin.Files["a.iso"] = bytes;
        var url = $"{box.Origin.Allowed}/redirect/2/a.iso";

        var (code, o, e) = await box.Cli("media", "add", url, "--sha256", sha);
        Assert.Equal("", e);
        Assert.Equal(0, code);
        Assert.Equal($"added a.iso (2,097,155 bytes, sha256 {sha}) from {url}\n", o);
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(box.Images, "a.iso")));
        Assert.Equal([Path.Combine(".meta", "a.iso.json"), "a.iso"], Leftovers("a.iso"));
        using (var json = JsonDocument.Parse(box.Api("GET", "/api/v1/images").Text))
        {
            var image = json.RootElement.EnumerateArray().Single(i => i.GetProperty("name").GetString() == "a.iso");
            Assert.Equal((sha, url, "uid:0"), (image.GetProperty("sha256").GetString(), image.GetProperty("source").GetString(), image.GetProperty("added_by").GetString()));
        }
        Assert.Equal(bytes, Curl.Run($"{box.BaseUrl}/images/a.iso").Body);
        // The job list says how it ended; the event log who asked.
        Assert.Contains("\"state\": \"done\"", box.Api("GET", "/api/v1/images/jobs").Text);
        Assert.Contains($"added a.iso from {url} (sha256 {sha})", box.Api("GET", "/api/v1/events").Text);
        Assert.Equal(0, (await box.Cli("media", "remove", "a.iso")).Code);
    }

    [Fact]
    public async Task Four_redirects_loopback_and_the_box_itself_are_refused_and_nothing_is_fetched()
    {
        await StartAsync();
        var (bytes, _) = CatalogAgentFixture.Random(10_000, 12);
        box.Origin.Files["b.iso"] = bytes;
        box.Origin.Files["c.iso"] = bytes;

        // /redirect/3/ redirects four times: /3 to /2, /2 to /1, /1 to /0, /0 to the file.
        var (code, _, e) = await box.Cli("media", "add", $"{box.Origin.Allowed}/redirect/3/b.iso");
        Assert.Equal(1, code);
        Assert.Equal($"netbootpi: more than 3 redirects (the last from 127.0.0.2 to {box.Origin.Allowed}/files/b.iso); nothing was fetched\n", e);
        Assert.DoesNotContain(box.Origin.Requests, r => r.StartsWith("/files/b.iso", StringComparison.Ordinal));

        // A redirect to 127.0.0.1, which the site does not allow: refused where the connection would be made.
        (code, _, e) = await box.Cli("media", "add", $"{box.Origin.Allowed}/to-loopback/c.iso");
        Assert.Equal(1, code);
        Assert.Equal("netbootpi: the download of c.iso failed: refused to connect to 127.0.0.1: 127.0.0.1 is a loopback address (media.fetch_allow in the site file allows it)\n", e);
        // A name that resolves to loopback: the same, checked on what it resolves to.
        var port = new Uri(box.Origin.Allowed).Port;
        (code, _, e) = await box.Cli("media", "add", $"http://localhost:{port}/files/c.iso");
        Assert.Equal(1, code);
        Assert.Contains("refused to connect to localhost", e);
        Assert.Contains("is a loopback address", e);
        Assert.DoesNotContain(box.Origin.Requests, r => r.StartsWith("/files/c.iso", StringComparison.Ordinal));
        // Not http(s), credentials in the URL, no name in it: refused before anything is queued (400).
        var ftp = box.Api("POST", "/api/v1/images/fetch", "-d", """{"url": "ftp://127.0.0.2/x.iso"}""");
        Assert.Equal((400, true), (ftp.Status, ftp.Text.Contains("is not http or https", StringComparison.Ordinal)));
        var secret = box.Api("POST", "/api/v1/images/fetch", "-d", $$"""{"url": "http://u:p@127.0.0.2:{{port}}/files/c.iso"}""");
        Assert.Equal((400, true), (secret.Status, secret.Text.Contains("carries a user name or password", StringComparison.Ordinal)));
        var nameless = box.Api("POST", "/api/v1/images/fetch", "-d", $$"""{"url": "http://127.0.0.2:{{port}}/"}""");
        Assert.Equal((400, true), (nameless.Status, nameless.Text.Contains("give one (--name NAME", StringComparison.Ordinal)));
        // TLS is verified: a certificate nobody trusts is refused, and nothing is fetched.
        (code, _, e) = await box.Cli("media", "add", $"{box.Origin.Untrusted}/files/c.iso");
        Assert.Equal(1, code);
        Assert.Equal("netbootpi: the download of c.iso failed: the TLS connection to 127.0.0.2 failed: its certificate is not trusted by the box, does not name 127.0.0.2, or the box's clock is wrong\n", e);
        Assert.DoesNotContain(box.Origin.Requests, r => r.StartsWith("/files/c.iso", StringComparison.Ordinal));
        Assert.Empty(Leftovers("b.iso").Concat(Leftovers("c.iso")));
    }

    [Fact]
    public async Task An_endless_body_is_cut_at_the_limit_and_a_wrong_checksum_is_refused_leaving_nothing()
    {
        await StartAsync();
        var (code, _, e) = await box.Cli("media", "add", $"{box.Origin.Allowed}/endless", "--name", "endless.img");
        Assert.Equal(1, code);
        Assert.Equal("netbootpi: image endless.img is larger than media.max_size (6,291,456 bytes); nothing was kept\n", e);
        Assert.Empty(Leftovers("endless"));

        var (bytes, sha) = CatalogAgentFixture.Random(500_000, 13);
        box.Origin.Files["d.iso"] = bytes;
        var wrong = "f" + sha[1..];
        (code, _, e) = await box.Cli("media", "add", $"{box.Origin.Allowed}/files/d.iso", "--sha256", wrong);
        Assert.Equal(1, code);
        Assert.Equal($"netbootpi: image d.iso has SHA-256 {sha}, not {wrong} as given (500,000 bytes from {box.Origin.Allowed}/files/d.iso); nothing was kept\n", e);
        Assert.Empty(Leftovers("d.iso"));
        Assert.Contains("\"status\": 422", box.Api("GET", "/api/v1/images/jobs").Text);
    }

    [Fact]
    public async Task A_download_that_breaks_off_is_resumed_with_a_range_request()
    {
        await StartAsync();
        var (bytes, sha) = CatalogAgentFixture.Random((3 << 20) + 7, 14);
        box.Origin.Files["r.iso"] = bytes;
        var (code, o, e) = await box.Cli("media", "add", $"{box.Origin.Allowed}/drop-once/r.iso", "--sha256", sha);
        Assert.Equal("", e);
        Assert.Equal(0, code);
        Assert.StartsWith("added r.iso (3,145,735 bytes", o);
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(box.Images, "r.iso")));
        var requests = box.Origin.Requests.Where(r => r.StartsWith("/drop-once/r.iso", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal("/drop-once/r.iso -", requests[0]);
        // The second asks for the rest: from where the first broke off (at most half the file arrived).
        var from = long.Parse(requests[1]["/drop-once/r.iso bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(from, 1, bytes.Length / 2);
        Assert.Contains($"resumed at {from:N0} bytes", box.Api("GET", "/api/v1/images/jobs").Text);
        Assert.Equal([Path.Combine(".meta", "r.iso.json"), "r.iso"], Leftovers("r.iso"));
        Assert.Equal(0, (await box.Cli("media", "remove", "r.iso")).Code);
    }

    [Fact]
    public async Task A_server_that_ignores_the_range_is_read_again_from_the_start()
    {
        await StartAsync();
        var (bytes, sha) = CatalogAgentFixture.Random((2 << 20) + 9, 15);
        box.Origin.Files["s.iso"] = bytes;
        var (code, _, e) = await box.Cli("media", "add", $"{box.Origin.Allowed}/drop-once-no-range/s.iso", "--sha256", sha);
        Assert.Equal((0, ""), (code, e));
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(box.Images, "s.iso")));
        var requests = box.Origin.Requests.Where(r => r.StartsWith("/drop-once-no-range/s.iso", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, requests.Count);
        Assert.StartsWith("/drop-once-no-range/s.iso bytes=", requests[1]);
        Assert.Equal(0, (await box.Cli("media", "remove", "s.iso")).Code);
    }

    [Fact]
    public async Task A_URL_the_upstream_cache_holds_is_copied_from_there_with_no_request()
    {
        await StartAsync();
        var (bytes, sha) = CatalogAgentFixture.Random((1 << 20) + 17, 14);
        // Where the upstream cache keeps a profile's artifact: STATE_DIR/cache/, the URL's SHA-256 (24 hex digits), '-',
        // the name the profile gave it. The origin does not have the file: only the cache can provide it.
        var url = $"{box.Origin.Allowed}/files/cached.img";
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(url)))[..24];
        Directory.CreateDirectory(Path.Combine(box.StateDir, "cache"));
        File.WriteAllBytes(Path.Combine(box.StateDir, "cache", $"{hash}-vmlinuz-lts"), bytes);

        var (code, o, e) = await box.Cli("media", "add", url, "--sha256", sha, "--name", "from-cache.img");
        Assert.Equal(("", 0), (e, code));
        Assert.Equal($"added from-cache.img (1,048,593 bytes, sha256 {sha}) from {url}\n", o);
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(box.Images, "from-cache.img")));
        Assert.DoesNotContain(box.Origin.Requests, r => r.StartsWith("/files/cached.img", StringComparison.Ordinal));
        Assert.Contains($"added from-cache.img from {url} (sha256 {sha}), copied from the upstream cache", box.Api("GET", "/api/v1/events").Text);

        // A checksum the cached bytes do not have keeps nothing, as a download would.
        (code, _, e) = await box.Cli("media", "add", url, "--sha256", new string('0', 64), "--name", "wrong.img");
        Assert.Equal(1, code);
        Assert.StartsWith($"netbootpi: image wrong.img has SHA-256 {sha}, not {new string('0', 64)} as given (1,048,593 bytes from {url}); nothing was kept", e);
        Assert.Empty(Leftovers("wrong.img"));
        Assert.Equal(0, (await box.Cli("media", "remove", "from-cache.img")).Code);
    }

    [Fact]
    public async Task A_download_cancelled_midway_stops_keeps_nothing_and_says_who()
    {
        await StartAsync();
        var (bytes, _) = CatalogAgentFixture.Random(1 << 20, 15);
        box.Origin.Files["stalled.iso"] = bytes;
        var queued = box.Api("POST", "/api/v1/images/fetch", "-d", $$"""{"url": "{{box.Origin.Allowed}}/stall/stalled.iso"}""");
        Assert.Equal(202, queued.Status);
        var id = JsonDocument.Parse(queued.Text).RootElement.GetProperty("id").GetString();
        // Running with its first 64 KiB in: the server then sends nothing more.
        for (var i = 0; i < 100 && !box.Api("GET", $"/api/v1/images/jobs?id={id}").Text.Contains("\"bytes\": 65536", StringComparison.Ordinal); i++)
            await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.Contains(Directory.EnumerateFiles(Path.Combine(box.Images, ".partial")), f => f.EndsWith("stalled.iso", StringComparison.Ordinal));

        var (code, o, e) = await box.Cli("media", "cancel", "stalled.iso");
        Assert.Equal(("", 0), (e, code));
        Assert.Equal("stalled.iso: cancelled by uid:0 after 65,536 bytes; nothing was kept\n", o);
        Assert.Empty(Leftovers("stalled.iso"));
        using (var job = JsonDocument.Parse(box.Api("GET", $"/api/v1/images/jobs?id={id}").Text))
            Assert.Equal(("failed", 409), (job.RootElement[0].GetProperty("state").GetString(), job.RootElement[0].GetProperty("status").GetInt32()));
        Assert.Contains("not added stalled.iso from " + box.Origin.Allowed + "/stall/stalled.iso: cancelled by uid:0 after 65,536 bytes", box.Api("GET", "/api/v1/events").Text);

        // Nothing left to cancel: 404 with where to look.
        (code, _, e) = await box.Cli("media", "cancel", "stalled.iso");
        Assert.Equal(1, code);
        Assert.StartsWith("netbootpi: the agent refused: no download of stalled.iso is queued or running", e);
    }

    [Fact]
    public async Task A_web_page_in_place_of_the_image_is_refused_and_nothing_is_kept()
    {
        await StartAsync();
        var (code, _, e) = await box.Cli("media", "add", $"{box.Origin.Allowed}/page/login.iso");
        Assert.Equal(1, code);
        Assert.Equal("netbootpi: 127.0.0.2 answered with a web page (text/html), not an image, for login.iso: check the URL (a download page or a login in the way?); nothing was kept\n", e);
        Assert.Empty(Leftovers("login.iso"));
    }
}
