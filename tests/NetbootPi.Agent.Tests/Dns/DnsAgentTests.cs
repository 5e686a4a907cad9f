using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NetbootPi.Agent.Tests.Site;
using NetbootPi.Agent.Tests.Support;
using NetbootPi.Tests.Shared;

namespace NetbootPi.Agent.Tests.Dns;

/// <summary>
/// The agent as its own process answering real clients: <c>dig</c> over UDP and TCP against it on a loopback
/// address, and the agent forwarding to a real <c>dnsmasq</c> on another loopback address holding a test zone. Each
/// test has addresses of its own in 127.27.0.0/16 (#27), so they run beside each other.
/// </summary>
public class DnsAgentTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-dns-").FullName;
    private readonly List<Process> _peers = [];
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        foreach (var p in _peers)
        {
            try
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
                p.WaitForExit();
            }
            catch (InvalidOperationException)
            {
                // never started
            }
            p.Dispose();
        }
        Directory.Delete(_dir, recursive: true);
    }

    private const int Port = 5353;

    /// <summary>The example site with its upstreams replaced and a few records more, its state kept in the test's directory.</summary>
    private string WriteSite(string upstreams, string extraRecords = "")
    {
        var text = SiteText.Example
            .Replace("upstream_dns: [1.1.1.1, 8.8.8.8]", $"upstream_dns: [{upstreams}]", StringComparison.Ordinal)
            .Replace("shoe: { cname: netbootpi }", "shoe: { cname: netbootpi }" + extraRecords, StringComparison.Ordinal)
            .Replace("networks:\n", $"server: {{ state_dir: {_dir}/state, data_dir: {_dir}/data }}\nnetworks:\n", StringComparison.Ordinal);
        var path = Path.Combine(_dir, "site.yaml");
        File.WriteAllText(path + ".tmp", text);
        File.Move(path + ".tmp", path, overwrite: true);
        return path;
    }

    private AgentProcess StartAgent(string site, string address) =>
        AgentProcess.Start(new Dictionary<string, string> { ["NETBOOTPI_LOG_LEVEL"] = "debug" },
            "run", "--config", site, "--listen", "127.0.0.1", "--http-listen", $"{address}:18027", "--tftp-port", "0", "--no-dhcp",
            "--control-socket", "none", "--dns-listen", $"{address}:{Port}");

    private static async Task<string> Dig(string server, params string[] args)
    {
        var dig = Peers.Require("dig", "dnsutils");
        var (code, o, e) = await Tool.RunAsync(dig, [$"@{server}", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "+time=10", "+tries=1", .. args], Ct);
        Assert.True(code == 0, $"dig {string.Join(' ', args)} exited {code}: {e}{o}");
        return o;
    }

    [Fact]
    public async Task Dig_gets_the_sites_names_addresses_and_negative_answers()
    {
        using var agent = StartAgent(WriteSite(""), "127.27.1.1");
        agent.WaitFor("DNS listening on 127.27.1.1:5353");

        var a = await Dig("127.27.1.1", "NaPaLm.NetSoc.Internal", "A");
        Assert.Contains("status: NOERROR", a);
        // No upstream in this site: the box recurses for nobody, and says so (no RA).
        Assert.Contains("flags: qr aa rd;", a);
        // The answer keeps the query's spelling.
        Assert.Contains("NaPaLm.NetSoc.Internal.\t60\tIN\tA\t10.69.1.1", a);

        Assert.Equal("gandalf-ilo.netsoc.internal.", (await Dig("127.27.1.1", "-x", "10.69.10.4", "+short")).Trim());
        Assert.Equal("netbootpi.netsoc.internal.", (await Dig("127.27.1.1", "-x", "192.168.69.1", "+short")).Trim());
        Assert.Equal("netbootpi.netsoc.internal.\n10.69.0.1\n192.168.69.1", (await Dig("127.27.1.1", "shoe.netsoc.internal", "+short")).Trim());

        var soa = await Dig("127.27.1.1", "netsoc.internal", "SOA", "+short");
        Assert.Matches(@"^netbootpi\.netsoc\.internal\. hostmaster\.netsoc\.internal\. \d+ 3600 600 86400 60$", soa.Trim());

        var nx = await Dig("127.27.1.1", "nothere.netsoc.internal", "A");
        Assert.Contains("status: NXDOMAIN", nx);
        Assert.Contains("AUTHORITY: 1", nx);
        var nodata = await Dig("127.27.1.1", "napalm.netsoc.internal", "AAAA");
        Assert.Contains("status: NOERROR", nodata);
        Assert.Contains("ANSWER: 0, AUTHORITY: 1", nodata);

        var tcp = await Dig("127.27.1.1", "+tcp", "spoon.netsoc.internal");
        Assert.Contains("spoon.netsoc.internal.\t60\tIN\tA\t10.69.1.2", tcp);
        Assert.Contains("(TCP)", tcp);

        // Without upstreams a name outside the site is refused: the box is no resolver then, and never loops.
        Assert.Contains("status: REFUSED", await Dig("127.27.1.1", "outside.example.test"));
    }

    [Fact]
    public async Task Every_host_of_the_example_site_resolves_and_so_does_its_address()
    {
        // The acceptance of #27: examples/netsoc.yaml as it is, every host by name and by address, from the box.
        var site = SiteText.Load(SiteText.Example).Inventory!;
        using var agent = StartAgent(WriteSite(""), "127.27.8.1");
        agent.WaitFor("DNS listening on 127.27.8.1:5353");
        Assert.NotEmpty(site.Hosts);
        foreach (var host in site.Hosts)
        {
            Assert.Equal($"{host.Ip}", (await Dig("127.27.8.1", "+short", $"{host.Name}.netsoc.internal")).Trim());
            Assert.Equal($"{host.Name}.netsoc.internal.", (await Dig("127.27.8.1", "+short", "-x", $"{host.Ip}")).Trim());
        }
        foreach (var box in site.Networks.Where(n => n.Role != NetbootPi.Agent.Site.NetworkRole.Wan).Select(n => n.BoxAddress!.Value))
            Assert.Equal("netbootpi.netsoc.internal.", (await Dig("127.27.8.1", "+short", "-x", $"{box}")).Trim());
        Assert.Contains("netbootpi.netsoc.internal.", await Dig("127.27.8.1", "+short", "shoe.netsoc.internal"));
    }

    [Fact]
    public async Task Answers_too_big_for_udp_are_truncated_and_dig_retries_over_tcp()
    {
        // Eight texts of 100 bytes: about 850 bytes, more than 512 and less than 1232.
        var texts = string.Join(", ", Enumerable.Range(0, 8).Select(i => new string((char)('a' + i), 100)));
        using var agent = StartAgent(WriteSite("127.27.2.9", $"\n    big: {{ txt: [{texts}] }}"), "127.27.2.1");
        agent.WaitFor("DNS listening on 127.27.2.1:5353");

        var classic = await Dig("127.27.2.1", "+noedns", "+ignore", "big.netsoc.internal", "TXT");
        Assert.Contains("flags: qr aa tc rd", classic);
        Assert.Contains("ANSWER: 0", classic);
        var small = await Dig("127.27.2.1", "+bufsize=512", "+ignore", "big.netsoc.internal", "TXT");
        Assert.Contains(" tc ", small);
        var fits = await Dig("127.27.2.1", "+bufsize=1232", "big.netsoc.internal", "TXT");
        Assert.Contains("ANSWER: 1", fits);
        Assert.Contains("(UDP)", fits);
        Assert.DoesNotContain(" tc ", fits);

        var retried = await Dig("127.27.2.1", "+noedns", "big.netsoc.internal", "TXT");
        Assert.Contains(";; Truncated, retrying in TCP mode.", retried);
        Assert.Contains("ANSWER: 1", retried);
        Assert.Contains(new string('h', 100), retried);
    }

    [Fact]
    public async Task Forwarded_answers_pass_through_are_cached_and_fail_over()
    {
        Peers.RequireRoot(); // dnsmasq on port 53, where the forwarder asks
        var dnsmasq = Peers.Require("dnsmasq", "dnsmasq-base");
        const string Up = "127.27.3.53", Closed = "127.27.3.54", Silent = "127.27.3.55";
        var log = Path.Combine(_dir, "dnsmasq.log");
        var upstream = StartPeer(dnsmasq, "--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--bind-interfaces",
            $"--listen-address={Up}", "--port=53", "--log-queries", $"--log-facility={log}", "--user=root",
            "--host-record=up.example.test,192.0.2.10", "--host-record=two.example.test,192.0.2.20",
            "--host-record=three.example.test,192.0.2.30", "--local-ttl=300", "--auth-ttl=300");
        // An upstream that never answers: a socket nobody reads.
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Parse(Silent), 53));
        WaitForLog(log, "started", 1);

        // Asked in order: the silent one (2 s), the closed one (port unreachable), then dnsmasq, which then stays first.
        using var agent = StartAgent(WriteSite($"{Silent}, {Closed}, {Up}"), "127.27.3.1");
        agent.WaitFor("DNS listening on 127.27.3.1:5353");
        var clock = Stopwatch.StartNew();
        var first = await Dig("127.27.3.1", "Up.Example.Test", "A");
        Assert.Contains("status: NOERROR", first);
        Assert.Contains("Up.Example.Test.\t300\tIN\tA\t192.0.2.10", first);
        Assert.Contains("flags: qr rd ra;", first); // not authoritative: passed on
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.5), $"the silent upstream was skipped after {clock.Elapsed}");
        WaitForLog(log, "query[A] Up.Example.Test", 1);

        var mark = agent.Mark;
        var second = await Dig("127.27.3.1", "up.example.test", "A");
        Assert.Contains("192.0.2.10", second);
        agent.WaitFor(l => l.Contains("up.example.test A: from the cache", StringComparison.Ordinal), mark, "the cache hit");
        // A third name does reach dnsmasq, straight away now; dnsmasq logs in order, so once its line is there a
        // second query for up.example.test would be too.
        clock.Restart();
        Assert.Contains("192.0.2.20", await Dig("127.27.3.1", "two.example.test", "+short"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"the upstream that answered was not asked first ({clock.Elapsed})");
        WaitForLog(log, "query[A] two.example.test", 1);
        Assert.Equal(1, CountLog(log, "query[A] up.example.test"));
        // The cached copy's TTL counts down from what upstream said.
        Assert.Matches(@"up\.example\.test\.\t(300|29\d|2[0-8]\d)\tIN\tA", second);

        // None answers: dnsmasq gone, the others as before.
        upstream.Kill();
        upstream.WaitForExit();
        var none = await Dig("127.27.3.1", "three.example.test", "A");
        Assert.Contains("status: SERVFAIL", none);
        agent.WaitFor("DNS no upstream answered three.example.test A");
    }

    [Fact]
    public async Task A_reload_adds_and_removes_names_at_once()
    {
        var site = WriteSite("");
        using var agent = StartAgent(site, "127.27.4.1");
        agent.WaitFor("DNS listening on 127.27.4.1:5353");
        Assert.Contains("status: NXDOMAIN", await Dig("127.27.4.1", "laptop.netsoc.internal"));

        var mark = agent.Mark;
        File.WriteAllText(site + ".tmp", File.ReadAllText(site) + "\n  laptop: { mac: 02:00:00:00:00:27, ip: 10.69.1.27 }\n");
        File.Move(site + ".tmp", site, overwrite: true);
        agent.Signal("HUP");
        agent.WaitFor(l => l.Contains("DNS serving 3 zones", StringComparison.Ordinal), mark, "the zones rebuilt");
        Assert.Equal("10.69.1.27", (await Dig("127.27.4.1", "laptop.netsoc.internal", "+short")).Trim());
        Assert.Equal("laptop.netsoc.internal.", (await Dig("127.27.4.1", "-x", "10.69.1.27", "+short")).Trim());

        mark = agent.Mark;
        WriteSite("");
        agent.Signal("HUP");
        agent.WaitFor(l => l.Contains("DNS serving 3 zones", StringComparison.Ordinal), mark, "the zones rebuilt");
        Assert.Contains("status: NXDOMAIN", await Dig("127.27.4.1", "laptop.netsoc.internal"));
    }

    [Fact]
    public async Task Malformed_queries_get_formerr_or_nothing_and_the_server_keeps_answering()
    {
        using var agent = StartAgent(WriteSite(""), "127.27.5.1");
        agent.WaitFor("DNS listening on 127.27.5.1:5353");
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(new IPEndPoint(IPAddress.Parse("127.27.5.1"), Port));
        byte[] header = [0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        byte[][] formerr =
        [
            [.. header, 0xC0, 0x0C, 0, 1, 0, 1],                                        // a name pointing at itself
            [.. header, 1, (byte)'a', 0xC0, 0x0C, 0, 1, 0, 1],                          // a pointer loop through a label
            [.. header, 0x40, .. new byte[64], 0, 0, 1, 0, 1],                          // a label of 64
            [.. header, .. Enumerable.Range(0, 5).SelectMany(_ => new byte[] { 63 }.Concat(new byte[63])), 0, 0, 1, 0, 1], // a name over 255
            [0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 200, 1, (byte)'a', 0, 0, 1, 0, 1], // 200 additional records promised
        ];
        var buffer = new byte[1500];
        foreach (var packet in formerr)
        {
            socket.Send(packet);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            wait.CancelAfter(TimeSpan.FromSeconds(10));
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token);
            Assert.Equal(new byte[] { 0xAB, 0xCD, 0x81, 0x01, 0, 0, 0, 0, 0, 0, 0, 0 }, buffer[..n]); // FORMERR, id kept
        }
        // Too short for a header, and a response: dropped without a word; the next real query is answered.
        socket.Send(Array.Empty<byte>());
        socket.Send(new byte[] { 1, 2, 3 });
        socket.Send([0xAB, 0xCD, 0x81, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 1, (byte)'a', 0, 0, 1, 0, 1]);
        Assert.Contains("10.69.1.1", await Dig("127.27.5.1", "napalm.netsoc.internal", "+short"));
        Assert.False(agent.HasExited);
        Assert.Equal(0, socket.Available);
    }

    [Fact]
    public async Task A_truncated_upstream_answer_is_asked_again_over_tcp()
    {
        Peers.RequireRoot(); // dnsmasq on port 53, where the forwarder asks
        var dnsmasq = Peers.Require("dnsmasq", "dnsmasq-base");
        const string Up = "127.27.6.53";
        var log = Path.Combine(_dir, "dnsmasq-tcp.log");
        // Six texts of 250 bytes: about 1.5 KB, more than the 1232 bytes the forwarder offers over UDP.
        var texts = Enumerable.Range(0, 6).Select(i => new string((char)('m' + i), 250)).ToArray();
        StartPeer(dnsmasq, "--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--bind-interfaces",
            $"--listen-address={Up}", "--port=53", "--log-queries", $"--log-facility={log}", "--user=root", "--local-ttl=300",
            $"--txt-record=big.example.test,{string.Join(',', texts.Select(t => $"\"{t}\""))}");
        WaitForLog(log, "started", 1);
        using var agent = StartAgent(WriteSite(Up), "127.27.6.1");
        agent.WaitFor("DNS listening on 127.27.6.1:5353");

        // Over TCP to the box: the whole answer, which the box can only have had from dnsmasq over TCP.
        var answer = await Dig("127.27.6.1", "+tcp", "big.example.test", "TXT");
        Assert.Contains("status: NOERROR", answer);
        Assert.Contains("ANSWER: 1", answer);
        foreach (var t in texts) Assert.Contains(t, answer);
        // dnsmasq was asked twice: over UDP (its truncated answer) and again over TCP.
        WaitForLog(log, "query[TXT] big.example.test", 2);
        // Over UDP the client gets the truncated question (from the cache), and dig's own TCP retry the whole answer.
        var udp = await Dig("127.27.6.1", "+bufsize=1232", "big.example.test", "TXT");
        Assert.Contains(";; Truncated, retrying in TCP mode.", udp);
        Assert.Contains(texts[5], udp);
        Assert.Equal(2, CountLog(log, "query[TXT] big.example.test"));
    }

    private Process StartPeer(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        _peers.Add(p);
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        return p;
    }

    private static int CountLog(string log, string text) =>
        File.Exists(log) ? File.ReadAllLines(log).Count(l => l.Contains(text, StringComparison.OrdinalIgnoreCase)) : 0;

    /// <summary>Waits for dnsmasq to write <paramref name="count"/> lines with <paramref name="text"/> (it writes its log asynchronously).</summary>
    private static void WaitForLog(string log, string text, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (CountLog(log, text) < count)
        {
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"dnsmasq did not log '{text}' {count} times. Log:\n{(File.Exists(log) ? File.ReadAllText(log) : "(none)")}");
            Thread.Sleep(50);
        }
    }
}
