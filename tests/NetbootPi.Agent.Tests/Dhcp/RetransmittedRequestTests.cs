using System.Globalization;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Dhcp;

/// <summary>
/// A client whose ACK is late sends its REQUEST again with the same xid (RFC 2131 §4.1; iPXE's first REQUEST timer
/// is a quarter of a second, so a lease write slower than that on a busy card does it). The agent answers every
/// copy, as it must, but the boot is one: one DHCP row in the host's timeline, not one per copy. The client is a
/// few lines of Python over a UDP socket on port 68 in its own namespace, doing exactly that exchange.
/// </summary>
public class RetransmittedRequestTests
{
    private const string Mac1 = "02:77:07:00:00:0a";
    private const string Mac2 = "02:77:07:00:00:0b";

    // DISCOVER, OFFER, then the REQUEST COPIES times with one xid, each answered; prints "ack IP" per ACK.
    private const string Client = """
        import random, socket, struct, sys
        mac = bytes.fromhex(sys.argv[1].replace(":", "")); copies = int(sys.argv[2])
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"c0")
        s.bind(("0.0.0.0", 68)); s.settimeout(5)
        xid = random.getrandbits(32)
        def packet(kind, options):
            head = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, 0x8000, bytes(4), bytes(4), bytes(4), bytes(4), mac + bytes(10), bytes(64), bytes(128))
            return head + b"\x63\x82\x53\x63" + bytes([53, 1, kind]) + options + b"\xff"
        def reply(kind):
            while True:
                data = s.recv(1500)
                if len(data) < 240 or struct.unpack("!I", data[4:8])[0] != xid: continue
                o, found = data[240:], None
                while o and o[0] != 255:
                    if o[0] == 0: o = o[1:]; continue
                    if o[0] == 53: found = o[2]
                    if o[0] == 54: server = o[2:6]
                    o = o[2 + o[1]:]
                if found == kind: return data[16:20], server
        s.sendto(packet(1, b""), ("255.255.255.255", 67))
        offered, server = reply(2)
        request = packet(3, bytes([50, 4]) + offered + bytes([54, 4]) + server)
        for _ in range(copies):
            s.sendto(request, ("255.255.255.255", 67))
            print("ack", socket.inet_ntoa(reply(5)[0]), flush=True)
        """;

    [Fact]
    public async Task A_retransmitted_request_is_answered_again_and_is_one_boot_in_the_event_log()
    {
        var ct = TestContext.Current.CancellationToken;
        var python = Peers.Require("python3", "python3");
        using var lab = new NetLab();
        var srv = lab.Namespace("srv");
        var cli = lab.Namespace("cli");
        lab.Link(srv, "s0", "10.77.7.1/24", cli, "c0", null);
        var state = lab.Path("state");
        var site = lab.Path("site.yaml");
        await File.WriteAllTextAsync(site, $$"""
            site: { name: lab }
            server: { state_dir: {{state}} }
            networks:
              lan:
                interface: s0
                address: 10.77.7.1/24
                dhcp: { mode: authoritative, range: 10.77.7.100-10.77.7.150 }
            profiles:
              p: { local: true }
            defaults: { profile: p }
            hosts:
              one: { mac: "{{Mac1}}", ip: 10.77.7.10 }
              two: { mac: "{{Mac2}}", ip: 10.77.7.11 }
            """, ct);
        var client = lab.Path("client.py");
        await File.WriteAllTextAsync(client, Client, ct);
        using var agent = lab.StartAgent(srv, site);
        agent.WaitFor("DHCP server listening on s0");

        async Task DoraAsync(string mac, int copies, string ip)
        {
            var (code, output, error) = await lab.RunAsync(cli, python, [client, mac, copies.ToString(CultureInfo.InvariantCulture)], ct);
            Assert.True(code == 0, $"the client ({mac}, {copies} REQUESTs) failed: {error}{output}\nagent:\n{agent.Output}");
            // Every copy is answered: the client may have lost the first ACK.
            Assert.Equal(Enumerable.Repeat($"ack {ip}", copies), output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        await DoraAsync(Mac1, copies: 3, "10.77.7.10");
        // The second client's boot is written after the first's (one writer, in order): once it is in the log, so is
        // every event of the first.
        await DoraAsync(Mac2, copies: 1, "10.77.7.11");
        var events = await WaitForAsync(state, e => e.Host == "two", ct);
        Assert.Single(events, e => e is { Host: "one", Kind: BootEventKind.Dhcp });

        // A new DORA (a new xid) is a new boot.
        await DoraAsync(Mac1, copies: 2, "10.77.7.10");
        await DoraAsync(Mac2, copies: 1, "10.77.7.11");
        events = await WaitForAsync(state, e => e.Host == "two", ct, count: 2);
        Assert.Equal(2, events.Count(e => e is { Host: "one", Kind: BootEventKind.Dhcp, Client: "10.77.7.10" }));
    }

    /// <summary>The events in the state directory once <paramref name="count"/> match <paramref name="match"/> (10 s at most).</summary>
    private static async Task<List<BootEvent>> WaitForAsync(string state, Func<BootEvent, bool> match, CancellationToken ct, int count = 1)
    {
        for (var i = 0; ; i++)
        {
            var events = BootEventLog.ReadFiles(state).ToList();
            if (events.Count(match) >= count) return events;
            Assert.True(i < 100, $"not {count} matching events within 10 s; events:\n{string.Join('\n', events)}");
            // The event log's writer is asynchronous by design (a DHCP reply never waits on it): poll its files.
            await Task.Delay(100, ct);
        }
    }
}
