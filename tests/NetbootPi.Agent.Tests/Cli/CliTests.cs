using NetbootPi.Agent.Cli;
using NetbootPi.Agent.Tests.Site;

namespace NetbootPi.Agent.Tests.Cli;

public class CliTests
{
    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var code = await CommandLine.RunAsync(args, o, e, TestContext.Current.CancellationToken);
        return (code, o.ToString(), e.ToString());
    }

    private static string Example => Path.Combine(SiteText.RepoRoot, "examples", "netsoc.yaml");

    [Fact]
    public async Task Version()
    {
        var (code, o, _) = await Run("--version");
        Assert.Equal(0, code);
        Assert.Matches(@"^netbootpi \d+\.\d+\.\d+\n$", o);
    }

    [Fact]
    public async Task Check_summarises_a_valid_file()
    {
        var (code, o, e) = await Run("check", Example);
        Assert.Equal(0, code);
        Assert.Equal("", e);
        Assert.Contains("OK — site netsoc (netsoc.internal)", o);
        Assert.Contains("  lan        boot       eth0.69    10.69.0.1/16         dhcp authoritative, range 10.69.10.1-10.69.20.254 (2814 addresses), lease 12h", o);
        Assert.Contains("  wan        wan        eth0.420   134.226.83.42/24     dhcp off  gateway 134.226.83.1", o);
        Assert.Contains("  mgmt       management eth0       192.168.69.1/24      dhcp off", o);
        Assert.Contains("  napalm-idrac     84:8f:69:e0:d4:17  10.69.10.1       lan      none", o);
        Assert.Contains("hosts (7)", o);
        Assert.True(o.Split('\n').Length < 40, "the summary fits on one screen");
    }

    [Fact]
    public async Task Check_prints_every_error_to_stderr_and_exits_1()
    {
        var file = Path.Combine(Path.GetTempPath(), $"netbootpi-bad-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, SiteText.Minimal.WithLine(15, "  a: { mac: nope, ip: 10.0.0.300 }"), TestContext.Current.CancellationToken);
        try
        {
            var (code, o, e) = await Run("check", file);
            Assert.Equal(1, code);
            Assert.Equal("", o);
            Assert.Equal([
                $"{file}:15:13: hosts.a.mac: 'nope' is not a MAC address (expected six hex pairs like 84:8f:69:e0:d4:0f)",
                $"{file}:15:23: hosts.a.ip: '10.0.0.300' is not an IPv4 address (expected a dotted quad like 10.69.1.1)",
                $"{file}: 2 errors",
            ], e.TrimEnd('\n').Split('\n'));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Check_of_a_missing_file_names_it()
    {
        var (code, _, e) = await Run("check", "/nonexistent/site.yaml");
        Assert.Equal(1, code);
        Assert.StartsWith("/nonexistent/site.yaml:1:1: (file): cannot read the file: ", e);
    }

    [Fact]
    public async Task An_argument_starting_with_at_is_itself_not_a_response_file()
    {
        // "@home" typed, an image "@x.iso": System.CommandLine would read arguments from a file of that name.
        var (code, _, e) = await Run("check", "@nonexistent.yaml");
        Assert.Equal(1, code);
        Assert.StartsWith("@nonexistent.yaml:1:1: (file): cannot read the file: ", e);
    }

    [Theory]
    [InlineData("napalm")]
    [InlineData("84:8f:69:e0:d4:0f")]
    [InlineData("84-8F-69-E0-D4-0F")]
    public async Task Show_host_by_name_or_any_mac_spelling(string who)
    {
        var (code, o, _) = await Run("show", "host", who, "--config", Example);
        Assert.Equal(0, code);
        var lines = o.TrimEnd('\n').Split('\n');
        Assert.Equal("host         napalm", lines[0]);
        Assert.Equal("mac          84:8f:69:e0:d4:0f", lines[1]);
        Assert.Contains("fqdn         napalm.netsoc.internal", lines);
        Assert.Contains("dns          A 10.69.1.1, PTR 1.1.69.10.in-addr.arpa", lines);
        Assert.Contains("profile      alpine (from defaults.profile): alpine 3.13.2 lts x86_64 from http://dl-cdn.alpinelinux.org/alpine", lines);
        Assert.Contains("network      lan (eth0.69, 10.69.0.0/16, dhcp authoritative, range 10.69.10.1-10.69.20.254 (2814 addresses), lease 12h)", lines);
        Assert.Contains("ip           10.69.1.1 (static lease)", lines);
        Assert.Contains("boot script  http://10.69.0.1/boot/84:8f:69:e0:d4:0f.ipxe", lines);
        Assert.Contains("overlay      http://10.69.0.1/apkovl/84:8f:69:e0:d4:0f.tar.gz", lines);
        Assert.Contains("nfs root     -", lines);
    }

    [Fact]
    public async Task Show_a_management_controller_inside_the_pool()
    {
        var (_, o, _) = await Run("show", "host", "gandalf-ilo", "--config", Example);
        Assert.Contains("profile      none: an address, but no boot offer", o);
        Assert.Contains("ip           10.69.10.4 (static lease; inside the pool 10.69.10.1-10.69.20.254, which never hands it to another machine)", o);
        Assert.Contains("boot script  - (no boot offer)", o);
    }

    [Fact]
    public async Task Show_an_unknown_mac_shows_what_an_unknown_machine_gets()
    {
        var (code, o, _) = await Run("show", "host", "52:54:00:aa:bb:cc", "--config", Example);
        Assert.Equal(0, code);
        Assert.Contains("host         (not in the site file)", o);
        Assert.Contains("profile      alpine (from defaults.profile)", o);
        Assert.Contains("when seen on network lan:", o);
        Assert.Contains("ip           from the pool 10.69.10.1-10.69.20.254", o);
        Assert.Contains("boot script  http://10.69.0.1/boot/52:54:00:aa:bb:cc.ipxe", o);
        Assert.DoesNotContain("when seen on network mgmt", o); // DHCP is off there
    }

    [Fact]
    public async Task A_relayed_network_is_summarised_and_its_hosts_urls_name_the_relays_box_address()
    {
        var file = Path.Combine(Path.GetTempPath(), $"netbootpi-relayed-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, """
            site: { name: t }
            networks:
              core: { interface: eth0, address: 10.69.0.1/16 }
              lab2:
                relay: true
                subnet: 10.70.0.0/16
                dhcp: { mode: authoritative, range: 10.70.1.100-10.70.1.199 }
            profiles:
              p: { kernel: k/vmlinuz, nfsroot: "/srv/nfs/{name}" }
            defaults: { profile: p }
            hosts:
              far1: { mac: 02:00:00:00:00:01, ip: 10.70.2.5 }
            """, TestContext.Current.CancellationToken);
        try
        {
            var (code, o, _) = await Run("check", file);
            Assert.Equal(0, code);
            Assert.Contains("  lab2       boot       (relayed)  10.70.0.0/16         dhcp authoritative, range 10.70.1.100-10.70.1.199 (100 addresses), lease 1h", o);
            Assert.Contains("  far1             02:00:00:00:00:01  10.70.2.5        lab2     p*", o);

            (code, o, _) = await Run("show", "host", "far1", "--config", file);
            Assert.Equal(0, code);
            Assert.Contains("network      lab2 (through DHCP relays, 10.70.0.0/16, dhcp authoritative", o);
            Assert.Contains("boot script  http://BOX/boot/02:00:00:00:00:01.ipxe (BOX: the box's address the relay forwards to)", o);
            Assert.Contains("nfs root     BOX:/srv/nfs/far1", o);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Show_an_unknown_name_suggests()
    {
        var (code, _, e) = await Run("show", "host", "napalmm", "--config", Example);
        Assert.Equal(1, code);
        Assert.Contains("no host named 'napalmm'", e);
        Assert.Contains("(did you mean 'napalm'?)", e);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("show", "guest", "x")]
    [InlineData("check", "a", "b")]
    [InlineData("run", "--bogus")]
    [InlineData("run", "--config")]
    [InlineData("run", "--listen", "1.2.3")]
    [InlineData("overlay", "list", "a", "extra")]
    [InlineData("events", "a", "b")]
    [InlineData]
    public async Task Bad_usage_exits_2_with_a_short_error_and_where_to_look(params string[] args)
    {
        var (code, o, e) = await Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", o);
        Assert.StartsWith("netbootpi: ", e);
        Assert.Contains("--help", e);
        Assert.True(e.TrimEnd('\n').Split('\n').Length <= 3, $"a usage error is a line or two, not the whole usage:\n{e}");
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("check", "--help")]
    [InlineData("overlay", "token", "-h")]
    public async Task Help_is_there_for_every_command(params string[] args)
    {
        var (code, o, _) = await Run(args);
        Assert.Equal(0, code);
        Assert.Contains("Usage:", o);
        Assert.Contains("netbootpi " + string.Join(' ', args.SkipLast(1)), o);
    }

    [Fact]
    public async Task Run_refuses_an_invalid_site()
    {
        var (code, _, e) = await Run("run", "--config", "/nonexistent/site.yaml");
        Assert.Equal(1, code);
        Assert.Contains("netbootpi: not starting: /nonexistent/site.yaml has 1 error", e);
    }

    [Fact]
    public async Task Events_of_a_host_the_site_does_not_know_is_an_error_like_show_host()
    {
        var (code, o, e) = await Run("events", "napalmm", "--config", Example);
        Assert.Equal(1, code);
        Assert.Equal("", o);
        Assert.Contains("no host named 'napalmm'", e);
        Assert.Contains("(did you mean 'napalm'?)", e);
    }

    [Fact]
    public async Task Check_reads_standard_input_when_given_a_dash()
    {
        var ct = TestContext.Current.CancellationToken;
        var (code, o, e) = await Tool.RunAsync("sh", ["-c", $"'{Support.AgentProcess.Executable}' check - < '{Example}'"], ct);
        Assert.Equal(0, code);
        Assert.Contains("(standard input): OK — site netsoc", o);
        (code, _, e) = await Tool.RunAsync("sh", ["-c", $"printf 'site:\\n  nmae: x\\n' | '{Support.AgentProcess.Executable}' check -"], ct);
        Assert.Equal(1, code);
        Assert.Contains("(standard input):2:3: site.nmae: unknown key (did you mean 'name'?)", e);
    }

    [Fact]
    public async Task Overlay_get_to_a_place_it_cannot_write_is_one_line_and_exit_1()
    {
        var dir = Directory.CreateTempSubdirectory("netbootpi-get-").FullName;
        try
        {
            var site = Path.Combine(dir, "site.yaml");
            await File.WriteAllTextAsync(site, SiteText.Minimal.Replace("networks:\n", $"server: {{ state_dir: {dir}/state }}\nnetworks:\n", StringComparison.Ordinal), TestContext.Current.CancellationToken);
            Directory.CreateDirectory(Path.Combine(dir, "state", "overlays", "00-00-00-00-00-01"));
            await File.WriteAllTextAsync(Path.Combine(dir, "state", "overlays", "00-00-00-00-00-01", "000001.tar.gz"), "x", TestContext.Current.CancellationToken);
            foreach (var (to, reason) in new[] { (Path.Combine(dir, "missing", "x.tar.gz"), "no such file or directory"), (dir, "is a directory") })
            {
                var (code, o, e) = await Run("overlay", "get", "a", to, "--config", site);
                Assert.Equal(1, code);
                Assert.Equal($"netbootpi: cannot copy a's overlay to {to}: {reason}\n", e);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
