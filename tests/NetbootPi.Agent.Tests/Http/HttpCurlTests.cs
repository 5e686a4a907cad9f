using NetbootPi.Agent.Render.Boot;
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
    public async Task Large_bodies_whole_or_in_part_then_a_small_one_all_on_one_connection()
    {
        Curl.RequireInstalled();
        var dir = Directory.CreateTempSubdirectory("netbootpi-curl-").FullName;
        try
        {
            // Three requests on one connection (curl's --next keeps it): a large range, the whole file, a small text.
            // Bodies this large go by sendfile (SendFileKestrelTests sees that); here the real client checks the bytes.
            string[] common = ["-sS", "--max-time", "30", "-w", "%{http_code} %{num_connects}\n"];
            var url = Url("/files/alpine/vmlinuz-lts");
            var (code, stdout, stderr) = await Tool.RunAsync("curl", [
                .. common, "-r", "100-400099", "-o", Path.Combine(dir, "range"), url,
                "--next", .. common, "-o", Path.Combine(dir, "whole"), url,
                "--next", .. common, "-o", Path.Combine(dir, "keys"), Url("/keys.pub")], TestContext.Current.CancellationToken);
            Assert.True(code == 0, stderr);
            Assert.Equal("206 1\n200 0\n200 0\n", stdout);
            Assert.Equal(agent.Big.AsSpan(100, 400_000).ToArray(), File.ReadAllBytes(Path.Combine(dir, "range")));
            Assert.Equal(agent.Big, File.ReadAllBytes(Path.Combine(dir, "whole")));
            Assert.Equal(AgentHttpFixture.Key + "\n", File.ReadAllText(Path.Combine(dir, "keys")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
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
            Assert.Equal(404, Curl.Run(Url("/apkovl/02:00:00:00:00:05.tar.gz")).Status); // drifter: none stored, Alpine boots clean

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
            // A host without a static address needs its token, whatever address it comes from.
            var noToken = Curl.Run("--interface", "127.0.0.2", "-T", good, Url("/apkovl/02:00:00:00:00:03.tar.gz"));
            Assert.Equal(403, noToken.Status);
            Assert.Contains("roam has no static address, so its uploads must carry its token", noToken.Text);

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

            // No half-written or temporary files are left beside the versions (and the store's version counter).
            Assert.All(Directory.GetFiles(Path.Combine(agent.StateDir, "overlays", "02-00-00-00-00-01")).Where(f => !f.EndsWith("/.last-version", StringComparison.Ordinal)),
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

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Hosts_without_a_static_address_upload_with_their_own_token_only()
    {
        Curl.RequireInstalled();
        var dir = Directory.CreateTempSubdirectory("netbootpi-token-").FullName;
        try
        {
            const string roam = "02:00:00:00:00:03";
            var url = Url($"/apkovl/{roam}.tar.gz");
            var good = Path.Combine(dir, "good.tar.gz");
            File.WriteAllBytes(good, AgentHttpFixture.Overlay("roam"));
            var guess = "Authorization: Bearer " + new string('0', 64);

            // nomad has no token yet: even a well-formed one is refused, with what to do about it.
            var notIssued = Curl.Run("-H", guess, "-T", good, Url("/apkovl/02:00:00:00:00:04.tar.gz"));
            Assert.Equal(403, notIssued.Status);
            Assert.Contains("no overlay token has been issued for nomad: run 'netbootpi overlay token nomad'", notIssued.Text);

            var (code, output, _) = await Cli("overlay", "token", "roam", "--config", agent.SitePath);
            Assert.Equal(0, code);
            var token = output.Trim();
            var tokenFile = Path.Combine(agent.StateDir, "overlay-tokens", "02-00-00-00-00-03");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tokenFile));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
                File.GetUnixFileMode(Path.GetDirectoryName(tokenFile)!));

            var missing = Curl.Run("-T", good, url);
            Assert.Equal(403, missing.Status);
            Assert.Contains("must carry its token (Authorization: Bearer TOKEN", missing.Text);
            var wrong = Curl.Run("-H", guess, "-T", good, url);
            Assert.Equal(403, wrong.Status);
            Assert.Contains("the token sent is not roam's", wrong.Text);
            Assert.Equal(403, Curl.Run("-H", $"Authorization: Basic {token}", "-T", good, url).Status);
            Assert.Equal(403, Curl.Run("-H", $"Authorization: Bearer {token}x", "-T", good, url).Status);
            Assert.Equal(403, Curl.Run("-H", $"Authorization: Bearer {token[..^1]}", "-T", good, url).Status);
            agent.WaitFor("overlay upload for 02:00:00:00:00:03 from 127.0.0.1 refused: the token sent is not roam's");
            // A token opens its own host only: not another token host, not a host known by its address.
            Assert.Equal(403, Curl.Run("-H", $"Authorization: Bearer {token}", "-T", good, Url("/apkovl/02:00:00:00:00:04.tar.gz")).Status);
            Assert.Equal(403, Curl.Run("-H", $"Authorization: Bearer {token}", "-T", good, Url($"/apkovl/{AgentHttpFixture.UpMac}.tar.gz")).Status);
            Assert.Equal(404, Curl.Run(url).Status); // nothing refused was stored

            var stored = Curl.Run("-H", $"Authorization: Bearer {token}", "-T", good, url);
            Assert.Equal(201, stored.Status);
            Assert.Contains("for roam", stored.Text);
            Assert.Equal(File.ReadAllBytes(good), Curl.Run(url).Body);
            // RFC 9110 §11.1: the scheme is case-insensitive.
            Assert.Equal(201, Curl.Run("-H", $"authorization: bearer {token}", "-T", good, url).Status);

            // The served upload script sends the token installed on the host (here: a file named by the
            // environment), with a stand-in for Alpine's lbu that "packages" a known overlay.
            var bin = Directory.CreateDirectory(Path.Combine(dir, "bin")).FullName;
            var packaged = AgentHttpFixture.Overlay("roam-from-script");
            File.WriteAllBytes(Path.Combine(dir, "packaged.tar.gz"), packaged);
            File.WriteAllText(Path.Combine(bin, "lbu"), $"#!/bin/sh\n[ \"$1\" = package ] && cp {dir}/packaged.tar.gz \"$2\"\n");
            File.SetUnixFileMode(Path.Combine(bin, "lbu"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.WriteAllText(Path.Combine(dir, "token"), token + "\n");
            var path = "PATH=" + bin + ":" + Environment.GetEnvironmentVariable("PATH");
            var script = $"curl -fsS {Url("/apkovl/upload.sh")} | sh -s {roam}";
            var ct = TestContext.Current.CancellationToken;
            var run = await Tool.RunAsync("env", [path, $"NETBOOTPI_TOKEN_FILE={dir}/token", "sh", "-c", script], ct);
            Assert.True(run.Code == 0, run.Out + run.Err);
            Assert.Contains("stored overlay version 3 for roam", run.Out);
            Assert.Equal(packaged, Curl.Run(url).Body);
            // Without the token file the script uploads without one, and the box refuses.
            var refused = await Tool.RunAsync("env", [path, $"NETBOOTPI_TOKEN_FILE={dir}/none", "sh", "-c", script], ct);
            Assert.NotEqual(0, refused.Code);
            Assert.Contains("403", refused.Err);
            Assert.Equal(packaged, Curl.Run(url).Body);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Overlay_token_is_made_once_rotated_on_request_and_only_for_hosts_without_an_address()
    {
        var first = await Cli("overlay", "token", "roam", "--config", agent.SitePath);
        Assert.Equal(0, first.Code);
        Assert.Matches("^[0-9a-f]{64}\n$", first.Out);
        Assert.Equal(first.Out, (await Cli("overlay", "token", "02-00-00-00-00-03", "--config", agent.SitePath)).Out);

        var rotated = await Cli("overlay", "token", "roam", "--rotate", "--config", agent.SitePath);
        Assert.Equal(0, rotated.Code);
        Assert.Matches("^[0-9a-f]{64}\n$", rotated.Out);
        Assert.NotEqual(first.Out, rotated.Out);
        Assert.Equal(rotated.Out, (await Cli("overlay", "token", "roam", "--config", agent.SitePath)).Out);
        // Another host gets its own (drifter: nomad must stay without a token for the upload test).
        Assert.NotEqual(rotated.Out, (await Cli("overlay", "token", "drifter", "--config", agent.SitePath)).Out);

        var withAddress = await Cli("overlay", "token", "up", "--config", agent.SitePath);
        Assert.Equal(1, withAddress.Code);
        Assert.Contains("up has the static address 127.0.0.2", withAddress.Err);
        Assert.Equal("", withAddress.Out);
        var stranger = await Cli("overlay", "token", "02:00:00:00:00:99", "--config", agent.SitePath);
        Assert.Equal(1, stranger.Code);
        Assert.Contains("is not a host", stranger.Err);
        Assert.Equal(2, (await Cli("overlay", "list", "roam", "--rotate", "--config", agent.SitePath)).Code);
    }
}
