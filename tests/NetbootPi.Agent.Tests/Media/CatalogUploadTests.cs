using System.Text.Json;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Media;

/// <summary>
/// Images added by upload to the agent's catalog (its own process) through the CLI and curl on the control socket,
/// served back by its boot HTTP server (curl, with ranges); what is refused leaves nothing, a full disk included.
/// </summary>
public class CatalogUploadTests(CatalogAgentFixture box) : IClassFixture<CatalogAgentFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private async Task StartAsync()
    {
        Peers.RequireRoot();
        Curl.RequireInstalled();
        await box.StartAsync();
    }

    private string WriteFile(string name, byte[] bytes)
    {
        var path = Path.Combine(box.Dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public async Task An_upload_is_streamed_into_the_catalog_listed_served_with_ranges_and_removed()
    {
        await StartAsync();
        var (bytes, sha) = CatalogAgentFixture.Random((3 << 20) + 5, 1);
        var file = WriteFile("disk-upload.img", bytes);

        var (code, o, e) = await box.Cli("media", "add", file, "--sha256", sha.ToUpperInvariant(), "--name", "disk.img");
        Assert.Equal("", e);
        Assert.Equal(0, code);
        Assert.Equal($"added disk.img (3,145,733 bytes, sha256 {sha})\n", o);
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(box.Images, "disk.img")));
        Assert.Equal([Path.Combine(".meta", "disk.img.json"), "disk.img"], box.FilesUnderImages());

        (code, o, _) = await box.Cli("media", "list", "--json");
        Assert.Equal(0, code);
        using (var json = JsonDocument.Parse(o))
        {
            var image = Assert.Single(json.RootElement.EnumerateArray());
            Assert.Equal("disk.img", image.GetProperty("name").GetString());
            Assert.Equal(bytes.Length, image.GetProperty("size").GetInt64());
            Assert.Equal(sha, image.GetProperty("sha256").GetString());
            Assert.Equal("uid:0", image.GetProperty("added_by").GetString());
            Assert.Equal("upload", image.GetProperty("source").GetString());
        }
        (_, o, _) = await box.Cli("media", "list");
        Assert.Matches($@"^NAME +SIZE +SHA256 +ADDED +BY +SOURCE\ndisk\.img +3,145,733 {sha[..12]}\.\.\. +\d{{4}}-\d\d-\d\d \d\d:\d\d +uid:0 +upload\n$", o);

        // Served by the boot HTTP server: whole, and a range (iPXE's sanboot reads an ISO by ranges).
        var whole = Curl.Run($"{box.BaseUrl}/images/disk.img");
        Assert.Equal(200, whole.Status);
        Assert.Equal(bytes, whole.Body);
        var part = Curl.Run("-r", "1000000-1999999", $"{box.BaseUrl}/images/disk.img");
        Assert.Equal(206, part.Status);
        Assert.Equal($"bytes 1000000-1999999/{bytes.Length}", part.Header("Content-Range"));
        Assert.Equal(bytes[1000000..2000000], part.Body);
        Assert.Equal(200, Curl.Run($"{box.BaseUrl}/files/images/disk.img").Status);
        // Partial files and metadata are never served, whatever the spelling.
        foreach (var hidden in (string[])["/images/.meta/disk.img.json", "/images/.meta", "/images/.partial/x", "/images/..%2Fsite.yaml", "/images/disk.img/x"])
            Assert.Equal(400, Curl.Run($"{box.BaseUrl}{hidden}").Status);
        Assert.Equal(404, Curl.Run($"{box.BaseUrl}/images/nothing.iso").Status);

        // Audited: a boot event of kind image with who.
        using (var events = JsonDocument.Parse(box.Api("GET", "/api/v1/events").Text))
            Assert.Contains(events.RootElement.EnumerateArray(), ev => ev.GetProperty("what").GetString() == "image"
                && ev.GetProperty("client").GetString() == "uid:0" && ev.GetProperty("path").GetString() == $"added disk.img by upload (sha256 {sha})"
                && ev.GetProperty("status").GetInt32() == 0 && ev.GetProperty("bytes").GetInt64() == bytes.Length);

        (code, o, _) = await box.Cli("media", "add", file, "--name", "disk.img");
        Assert.Equal(1, code);
        (code, o, e) = await box.Cli("media", "remove", "disk.img");
        Assert.Equal((0, "removed image disk.img\n", ""), (code, o, e));
        Assert.Empty(box.FilesUnderImages());
        (_, o, _) = await box.Cli("media", "list");
        Assert.Equal("no images (netbootpi media add FILE|URL adds one)\n", o);
        Assert.Equal(404, Curl.Run($"{box.BaseUrl}/images/disk.img").Status);
        (code, _, e) = await box.Cli("media", "remove", "disk.img");
        Assert.Equal(1, code);
        Assert.Contains("no image named disk.img in", e);
    }

    [Fact]
    public async Task A_wrong_checksum_a_bad_name_or_too_many_bytes_leave_nothing()
    {
        await StartAsync();
        var (bytes, sha) = CatalogAgentFixture.Random(300_001, 2);
        var file = WriteFile("wrong.img", bytes);
        var wrong = new string('0', 64);

        var (code, o, e) = await box.Cli("media", "add", file, "--sha256", wrong);
        Assert.Equal((1, ""), (code, o));
        Assert.Equal($"netbootpi: the agent refused: image wrong.img has SHA-256 {sha}, not {wrong} as given (300,001 bytes from upload); nothing was kept\n", e);
        Assert.DoesNotContain(box.FilesUnderImages(), f => !f.StartsWith(".meta", StringComparison.Ordinal));

        (code, _, e) = await box.Cli("media", "add", file, "--sha256", "abc");
        Assert.Equal(1, code);
        Assert.Contains("'abc' is not a SHA-256 (expected 64 hex digits, as sha256sum prints)", e);

        // Names: the refusal names the name and the rule; 400, never 500.
        foreach (var (name, why) in new[]
                 {
                     ("..%2Fevil", "is a path"), (".hidden", "starts with a dot"), ("a..b", "has '..'"), ("-x", "starts with '-'"),
                     ("a%20b", "has ' '"), (new string('a', 129), "is 129 characters long (expected at most 128)"),
                 })
        {
            var r = box.Api("POST", $"/api/v1/images/upload?name={name}", "--data-binary", $"@{file}", "-H", "Content-Type: application/octet-stream");
            Assert.Equal(400, r.Status);
            Assert.Contains(why, JsonDocument.Parse(r.Text).RootElement.GetProperty("error").GetString());
        }

        // Past media.max_size: refused at once when the length is announced, cut while streaming when it is not.
        var (big, _) = CatalogAgentFixture.Random((int)CatalogAgentFixture.MaxBytes + 1, 3);
        var bigFile = WriteFile("big.img", big);
        var announced = box.Api("POST", "/api/v1/images/upload?name=big.img", "--data-binary", $"@{bigFile}");
        Assert.Equal(413, announced.Status);
        Assert.Contains("image big.img is 6,291,457 bytes, larger than media.max_size (6,291,456 bytes); nothing was kept", announced.Text);
        var streamed = box.Api("POST", "/api/v1/images/upload?name=big.img", "--data-binary", $"@{bigFile}", "-H", "Transfer-Encoding: chunked");
        Assert.Equal(413, streamed.Status);
        Assert.Contains("image big.img is larger than media.max_size (6,291,456 bytes); nothing was kept", streamed.Text);
        Assert.DoesNotContain(box.FilesUnderImages(), f => !f.StartsWith(".meta", StringComparison.Ordinal));
        Assert.DoesNotContain("big.img", box.Api("GET", "/api/v1/images").Text);
    }

    [Fact]
    public async Task A_full_disk_mid_upload_leaves_nothing_in_the_catalog()
    {
        await StartAsync();
        // A 2 MiB tmpfs as the catalog's directory: a 4 MiB upload (under media.max_size) fills it half way.
        Directory.CreateDirectory(box.Images);
        var mount = await Tool.RunAsync("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", box.Images], Cancel);
        Assert.True(mount.Code == 0, $"mount tmpfs failed: {mount.Err}");
        try
        {
            var (bytes, _) = CatalogAgentFixture.Random(4 << 20, 4);
            var file = WriteFile("full.img", bytes);
            var r = box.Api("POST", "/api/v1/images/upload?name=full.img", "--data-binary", $"@{file}");
            Assert.Equal(507, r.Status);
            Assert.Contains("is full (df ", r.Text);
            Assert.Contains("nothing was kept", r.Text);
            Assert.Empty(box.FilesUnderImages());
            // Room again: the same upload of a smaller image goes through.
            var (small, sha) = CatalogAgentFixture.Random(100_000, 5);
            var (code, _, e) = await box.Cli("media", "add", WriteFile("small.img", small), "--sha256", sha);
            Assert.Equal((0, ""), (code, e));
            Assert.Equal([Path.Combine(".meta", "small.img.json"), "small.img"], box.FilesUnderImages());
            Assert.Equal(0, (await box.Cli("media", "remove", "small.img")).Code);
        }
        finally
        {
            await Tool.RunAsync("umount", [box.Images], Cancel);
        }
    }
}
