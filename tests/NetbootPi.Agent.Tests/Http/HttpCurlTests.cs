using NetbootPi.Agent.Boot;
using NetbootPi.Agent.Cli;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tests.Support;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Tests.Http;

/// <summary>The boot HTTP service of a running agent, driven by the real curl.</summary>
public class HttpCurlTests(AgentHttpFixture agent) : IClassFixture<AgentHttpFixture>
{
    private string Url(string path) => agent.BaseUrl + path;

    private static async Task<(int Code, string Out, string Err)> Cli(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var code = await CommandLine.RunAsync(args, o, e, TestContext.Current.CancellationToken);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void Host_script_is_the_rendered_profile_for_every_mac_spelling()
    {
        Curl.RequireInstalled();
        var site = SiteFile.Load(agent.SitePath).Inventory!;
        var expected = IpxeScript.Render(site, site.Resolve(MacAddress.Parse(AgentHttpFixture.UpMac)),
            new BootRequest(agent.BaseUrl, "127.0.0.1"));
        foreach (var spelling in new[] { "02:00:00:00:00:01", "02-00-00-00-00-01", "020000000001" })
        {
            var r = Curl.Run(Url($"/boot/{spelling}.ipxe"));
            Assert.Equal(200, r.Status);
            Assert.Equal(expected, r.Text);
            Assert.Equal("no-store", r.Header("Cache-Control"));
        }
        Assert.Equal(404, Curl.Run(Url("/boot/not-a-mac.ipxe")).Status);
    }

    [Fact]
    public void Generic_script_chains_by_the_machines_mac()
    {
        Curl.RequireInstalled();
        var r = Curl.Run(Url("/boot.ipxe"));
        Assert.Equal(200, r.Status);
        Assert.Contains($"chain --autofree {agent.BaseUrl}/boot/${{net0/mac}}.ipxe || goto failed\n", r.Text);
    }

    [Fact]
    public void Keys_are_the_sites_ssh_keys()
    {
        Curl.RequireInstalled();
        var r = Curl.Run(Url("/keys.pub"));
        Assert.Equal(200, r.Status);
        Assert.Equal(AgentHttpFixture.Key + "\n", r.Text);
    }

    [Fact]
    public void Files_have_length_type_head_ranges_and_validators()
    {
        Curl.RequireInstalled();
        var full = Curl.Run(Url("/files/alpine/vmlinuz-lts"));
        Assert.Equal(200, full.Status);
        Assert.Equal(agent.Big, full.Body);
        Assert.Equal(agent.Big.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), full.Header("Content-Length"));
        Assert.Equal("application/octet-stream", full.Header("Content-Type"));
        Assert.Equal("bytes", full.Header("Accept-Ranges"));
        var etag = full.Header("ETag");
        Assert.NotNull(etag);
        Assert.NotNull(full.Header("Last-Modified"));

        var head = Curl.Run("-I", Url("/files/alpine/vmlinuz-lts"));
        Assert.Equal(200, head.Status);
        // With -I curl writes the headers where the body would go: nothing else arrived.
        Assert.Equal(head.Headers, head.Text);
        Assert.Equal(full.Header("Content-Length"), head.Header("Content-Length"));

        var range = Curl.Run("-r", "1000-1999", Url("/files/alpine/vmlinuz-lts"));
        Assert.Equal(206, range.Status);
        Assert.Equal(agent.Big.AsSpan(1000, 1000).ToArray(), range.Body);
        Assert.Equal($"bytes 1000-1999/{agent.Big.Length}", range.Header("Content-Range"));

        var tail = Curl.Run("-r", "-17", Url("/files/alpine/vmlinuz-lts"));
        Assert.Equal(206, tail.Status);
        Assert.Equal(agent.Big.AsSpan(agent.Big.Length - 17).ToArray(), tail.Body);

        var beyond = Curl.Run("-r", $"{agent.Big.Length}-", Url("/files/alpine/vmlinuz-lts"));
        Assert.Equal(416, beyond.Status);
        Assert.Equal($"bytes */{agent.Big.Length}", beyond.Header("Content-Range"));

        Assert.Equal(304, Curl.Run("-H", $"If-None-Match: {etag}", Url("/files/alpine/vmlinuz-lts")).Status);
        Assert.Equal(304, Curl.Run("-H", $"If-None-Match: \"other\", W/{etag}", Url("/files/alpine/vmlinuz-lts")).Status);
        Assert.Equal(200, Curl.Run("-H", "If-None-Match: \"other\"", Url("/files/alpine/vmlinuz-lts")).Status);
        var lastModified = full.Header("Last-Modified")!;
        Assert.Equal(304, Curl.Run("-H", $"If-Modified-Since: {lastModified}", Url("/files/alpine/vmlinuz-lts")).Status);
        Assert.Equal(200, Curl.Run("-H", "If-Modified-Since: Thu, 01 Jan 2015 00:00:00 GMT", Url("/files/alpine/vmlinuz-lts")).Status);
        Assert.Equal(412, Curl.Run("-H", "If-Match: \"other\"", Url("/files/alpine/vmlinuz-lts")).Status);
        // If-Range: the range only while the version is the same; otherwise the whole (new) file.
        Assert.Equal(206, Curl.Run("-r", "0-9", "-H", $"If-Range: {etag}", Url("/files/alpine/vmlinuz-lts")).Status);
        var stale = Curl.Run("-r", "0-9", "-H", "If-Range: \"older\"", Url("/files/alpine/vmlinuz-lts"));
        Assert.Equal(200, stale.Status);
        Assert.Equal(agent.Big, stale.Body);
        // Several ranges: answered with the whole file (RFC 9110 §14.2 lets a server ignore Range).
        Assert.Equal(agent.Big, Curl.Run("-r", "0-9,20-29", Url("/files/alpine/vmlinuz-lts")).Body);

        // A symlink that stays inside the data directory is followed.
        Assert.Equal(agent.Big, Curl.Run(Url("/files/alpine/latest")).Body);
        Assert.Equal(404, Curl.Run(Url("/files/alpine/missing")).Status);
        Assert.Equal(404, Curl.Run(Url("/files/alpine")).Status); // a directory is not a file
    }

    [Theory]
    [InlineData("/files/../secret", 404)]              // the server removes dot segments: /secret, which is nothing
    [InlineData("/files/%2e%2e/secret", 404)]          // decoded, then removed the same way
    [InlineData("/files/alpine/../../secret", 404)]
    [InlineData("/files/..%2fsecret", 400)]            // an escaped slash stays escaped: refused
    [InlineData("/files/%2e%2e%2fsecret", 400)]
    [InlineData("/files/..%5csecret", 400)]            // backslash
    [InlineData("/files/.hidden", 400)]
    [InlineData("/files/out", 403)]                    // symlink to a file outside
    [InlineData("/files/outdir/secret", 403)]          // symlink to a directory outside
    public void Files_never_leave_the_data_directory(string path, int status)
    {
        Curl.RequireInstalled();
        var r = Curl.Run("--path-as-is", Url(path));
        Assert.Equal(status, r.Status);
        Assert.DoesNotContain(AgentHttpFixture.Secret, r.Text);
    }

    [Fact]
    public void Mirror_artifacts_come_through_the_cache_once()
    {
        Curl.RequireInstalled();
        var first = Curl.Run("--interface", "127.0.0.2", Url("/upstream/alpine/vmlinuz-lts"));
        Assert.Equal(200, first.Status);
        Assert.Equal(agent.MirrorKernel, first.Body);
        var range = Curl.Run("-r", "10-19", Url("/upstream/alpine/vmlinuz-lts"));
        Assert.Equal(206, range.Status);
        Assert.Equal(agent.MirrorKernel.AsSpan(10, 10).ToArray(), range.Body);
        Assert.Equal(1, agent.MirrorRequests);
        // Not on the mirror: the request fails, nothing is cached.
        Assert.Equal(502, Curl.Run(Url("/upstream/alpine/modloop-lts")).Status);
        // Not named by the site: never asked of the mirror.
        Assert.Equal(404, Curl.Run(Url("/upstream/alpine/vmlinuz-edge")).Status);
        Assert.Equal(404, Curl.Run("--path-as-is", Url("/upstream/alpine/../../etc/passwd")).Status);
        Assert.Equal(2, agent.MirrorRequests);
    }

    [Fact]
    public void Other_methods_are_refused()
    {
        Curl.RequireInstalled();
        var r = Curl.Run("-X", "POST", Url("/boot.ipxe"));
        Assert.Equal(405, r.Status);
        Assert.Equal("GET, HEAD", r.Header("Allow"));
        Assert.Equal(405, Curl.Run("-X", "DELETE", Url($"/apkovl/{AgentHttpFixture.UpMac}.tar.gz")).Status);
    }

    [Fact]
    public async Task Overlays_upload_from_the_hosts_own_address_only_and_keep_five_versions()
    {
        Curl.RequireInstalled();
        var dir = Directory.CreateTempSubdirectory("netbootpi-ovl-").FullName;
        try
        {
            const string mac = "02:00:00:00:00:01";
            var url = Url($"/apkovl/{mac}.tar.gz");
            Assert.Equal(404, Curl.Run(Url("/apkovl/02:00:00:00:00:03.tar.gz")).Status); // none stored: Alpine boots clean

            var good = Path.Combine(dir, "good.tar.gz");
            File.WriteAllBytes(good, AgentHttpFixture.Overlay("up"));
            var text = Path.Combine(dir, "text.tar.gz");
            File.WriteAllText(text, "this is not a tarball\n");
            var gzText = Path.Combine(dir, "gztext.tar.gz");
            using (var f = File.Create(gzText))
            using (var gz = new System.IO.Compression.GZipStream(f, System.IO.Compression.CompressionLevel.Fastest))
                gz.Write(new byte[2048].Select((_, i) => (byte)('a' + i % 26)).ToArray());

            // Wrong addresses: the box itself (127.0.0.1) and another host (127.0.0.3).
            var fromBox = Curl.Run("-T", good, url);
            Assert.Equal(403, fromBox.Status);
            Assert.Contains("accepted only from 127.0.0.2", fromBox.Text);
            Assert.Equal(403, Curl.Run("--interface", "127.0.0.3", "-T", good, url).Status);
            // A host without a static address cannot upload (no token scheme yet).
            Assert.Equal(403, Curl.Run("--interface", "127.0.0.2", "-T", good, Url("/apkovl/02:00:00:00:00:03.tar.gz")).Status);

            // Not a gzip tar: refused, nothing stored.
            Assert.Equal(415, Curl.Run("--interface", "127.0.0.2", "-T", text, url).Status);
            Assert.Equal(415, Curl.Run("--interface", "127.0.0.2", "-T", gzText, url).Status);
            Assert.Equal(404, Curl.Run(url).Status);

            var stored = Curl.Run("--interface", "127.0.0.2", "-T", good, url);
            Assert.Equal(201, stored.Status);
            Assert.Contains("stored overlay version 1 for up", stored.Text);
            foreach (var spelling in new[] { "02:00:00:00:00:01", "02-00-00-00-00-01", "020000000001" })
            {
                var get = Curl.Run(Url($"/apkovl/{spelling}.tar.gz"));
                Assert.Equal(200, get.Status);
                Assert.Equal(File.ReadAllBytes(good), get.Body);
                Assert.Equal("application/gzip", get.Header("Content-Type"));
            }

            for (var i = 2; i <= 7; i++)
            {
                File.WriteAllBytes(good, AgentHttpFixture.Overlay($"up{i}"));
                Assert.Equal(201, Curl.Run("--interface", "127.0.0.2", "-T", good, url).Status);
            }
            var (code, list, _) = await Cli("overlay", "list", "up", "--config", agent.SitePath);
            Assert.Equal(0, code);
            Assert.Equal(["3", "4", "5", "6", "7"], list.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim().Split(' ')[0]));
            Assert.Contains("(served)", list.Split('\n')[4]);

            var (rc, ro, _) = await Cli("overlay", "rollback", "up", "--config", agent.SitePath);
            Assert.Equal(0, rc);
            Assert.Equal("up: now serving overlay version 6\n", ro);
            Assert.Equal(AgentHttpFixture.Overlay("up6"), Curl.Run(url).Body);

            var copy = Path.Combine(dir, "copy.tar.gz");
            Assert.Equal(0, (await Cli("overlay", "get", "up", copy, "--config", agent.SitePath)).Code);
            Assert.Equal(AgentHttpFixture.Overlay("up6"), File.ReadAllBytes(copy));

            // No half-written or temporary files are left beside the versions.
            Assert.All(Directory.GetFiles(Path.Combine(agent.StateDir, "overlays", "02-00-00-00-00-01")),
                f => Assert.Matches(@"/\d{6}\.tar\.gz$", f));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Upload_script_names_the_box_and_the_requesting_host()
    {
        Curl.RequireInstalled();
        var r = Curl.Run("--interface", "127.0.0.2", Url("/apkovl/upload.sh"));
        Assert.Equal(200, r.Status);
        Assert.Contains($"box={agent.BaseUrl}\n", r.Text);
        Assert.Contains("mac=${1:-02:00:00:00:00:01}\n", r.Text);
        Assert.Contains("lbu package \"$tmp/overlay.tar.gz\"\n", r.Text);
        Assert.StartsWith("#!/bin/sh\n", r.Text);
    }

    [Fact]
    public async Task Fetches_are_recorded_as_boot_events_per_host()
    {
        Curl.RequireInstalled();
        Assert.Equal(200, Curl.Run("--interface", "127.0.0.3", Url("/files/alpine/vmlinuz-lts")).Status);
        Assert.Equal(200, Curl.Run("--interface", "127.0.0.3", Url("/boot/02:00:00:00:00:02.ipxe")).Status);
        Assert.Equal(404, Curl.Run("--interface", "127.0.0.3", Url("/apkovl/02:00:00:00:00:02.tar.gz")).Status);

        // The agent appends events from a writer thread: they reach the file shortly after the responses.
        var (code, o, e) = (0, "", "");
        string[] lines = [];
        for (var deadline = DateTime.UtcNow.AddSeconds(10); lines.Length < 3 && DateTime.UtcNow < deadline;)
        {
            (code, o, e) = await Cli("events", "other", "--config", agent.SitePath);
            lines = o.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (lines.Length < 3) await Task.Delay(50, TestContext.Current.CancellationToken);
        }
        Assert.Equal(0, code);
        Assert.Equal("", e);
        Assert.Contains(lines, l => l.Contains($" 127.0.0.3 other kernel 200 {agent.Big.Length} /files/alpine/vmlinuz-lts", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(" 127.0.0.3 other script 200 ", StringComparison.Ordinal) && l.EndsWith("/boot/02:00:00:00:00:02.ipxe", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(" 127.0.0.3 other overlay 404 ", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.Contains(" other ", l));
        // By MAC too.
        Assert.Equal(o, (await Cli("events", "02-00-00-00-00-02", "--config", agent.SitePath)).Out);
    }
}
