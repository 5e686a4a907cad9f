using System.Collections.Concurrent;
using System.Net;
using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Dhcp.Server;
using NetbootPi.Protocols.Dhcp.Transport;
using NetbootPi.Protocols.Net;
using NetbootPi.Protocols.Tests.Namespaces;

namespace NetbootPi.Protocols.Tests.Dhcp;

/// <summary>
/// A real client (busybox udhcpc) in one namespace against the transport in another, joined by a veth pair:
/// broadcast DISCOVER through SO_BINDTODEVICE sockets, replies by broadcast, the lease on disk afterwards.
/// </summary>
public sealed class DhcpUdhcpcTests
{
    [Theory]
    [InlineData(false)] // no broadcast flag: §4.1 unicast to chaddr, which the transport broadcasts
    [InlineData(true)]  // -B: the client asks for broadcast replies
    public async Task Udhcpc_obtains_a_lease(bool broadcastFlag)
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("network namespaces are Linux-only");
            return;
        }
        if (!File.Exists("/usr/sbin/udhcpc") && !File.Exists("/bin/busybox")) Assert.Skip("busybox udhcpc is not installed");
        using var server = NetworkNamespace.TryCreate("nbp-dhcps", out var why);
        if (server is null) Assert.Skip(why);
        using var client = NetworkNamespace.TryCreate("nbp-dhcpc", out why);
        if (client is null) Assert.Skip(why);
        var id = Random.Shared.Next(0x100000, 0xFFFFFF).ToString("x6");
        string sIf = $"vs{id}", cIf = $"vc{id}";
        var (code, output) = NetworkNamespace.Host("ip", "link", "add", sIf, "netns", server.Name, "type", "veth", "peer", "name", cIf, "netns", client.Name);
        Assert.True(code == 0, output);
        server.Ip("addr", "add", "10.231.0.1/24", "dev", sIf);
        server.Ip("link", "set", sIf, "up");
        client.Ip("link", "set", cIf, "up");

        var dir = Directory.CreateTempSubdirectory("netbootpi-udhcpc-").FullName;
        var script = Path.Combine(dir, "script.sh");
        await File.WriteAllTextAsync(script, "#!/bin/sh\necho \"event=$1 ip=$ip subnet=$subnet router=$router serverid=$serverid lease=$lease\"\n",
            TestContext.Current.CancellationToken);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var policy = new TestDhcpPolicy();
        policy.NetworkList.Add(new DhcpNetwork
        {
            Name = "veth",
            InterfaceName = sIf,
            ServerAddress = Ipv4Address.Parse("10.231.0.1"),
            Subnet = Ipv4Network.TryParse("10.231.0.0/24", out var n) ? n : default,
            RangeStart = Ipv4Address.Parse("10.231.0.100"),
            RangeEnd = Ipv4Address.Parse("10.231.0.110"),
            Routers = [Ipv4Address.Parse("10.231.0.1")],
        });
        var store = LeaseStore.Open(Path.Combine(dir, "state"));
        var observer = new Observer();
        var engine = new DhcpEngine(policy, store, TimeProvider.System, store.Recovered);
        var transport = new DhcpUdpTransport(engine, store, new DhcpTransportOptions { Interfaces = [sIf] }, observer);
        try
        {
            server.Run(() => { transport.Start(); return 0; });
            string[] args = ["udhcpc", "-i", cIf, "-f", "-q", "-n", "-t", "4", "-T", "1", "-s", script];
            if (broadcastFlag) args = [.. args, "-B"];
            var (exit, text) = client.ExecIn(TimeSpan.FromSeconds(30), "busybox", args);
            Assert.True(exit == 0, $"udhcpc exit {exit}: {text}\nengine: {string.Join("; ", observer.Events)}");
            Assert.Contains("event=bound ip=10.231.0.100 subnet=255.255.255.0 router=10.231.0.1 serverid=10.231.0.1 lease=3600", text);
        }
        finally
        {
            await transport.DisposeAsync();
            store.Dispose();
        }
        var (leases, _) = LeaseStore.Read(Path.Combine(dir, "state"));
        Assert.Equal(Ipv4Address.Parse("10.231.0.100"), Assert.Single(leases).Address);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task Udhcpc_behind_a_dnsmasq_relay_gets_a_lease_from_the_relays_network()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("network namespaces are Linux-only");
            return;
        }
        if (!File.Exists("/bin/busybox")) Assert.Skip("busybox udhcpc is not installed");
        if (!File.Exists("/usr/sbin/dnsmasq")) Assert.Skip("dnsmasq (dnsmasq-base) is not installed");
        using var server = NetworkNamespace.TryCreate("nbp-rels", out var why);
        if (server is null) Assert.Skip(why);
        using var relay = NetworkNamespace.TryCreate("nbp-relr", out why);
        if (relay is null) Assert.Skip(why);
        using var client = NetworkNamespace.TryCreate("nbp-relc", out why);
        if (client is null) Assert.Skip(why);
        var id = Random.Shared.Next(0x10000, 0xFFFFF).ToString("x5");
        string sIf = $"rs{id}", rsIf = $"rr{id}", rcIf = $"rq{id}", cIf = $"rc{id}";
        Assert.Equal(0, NetworkNamespace.Host("ip", "link", "add", sIf, "netns", server.Name, "type", "veth", "peer", "name", rsIf, "netns", relay.Name).ExitCode);
        Assert.Equal(0, NetworkNamespace.Host("ip", "link", "add", rcIf, "netns", relay.Name, "type", "veth", "peer", "name", cIf, "netns", client.Name).ExitCode);
        server.Ip("addr", "add", "10.232.0.1/24", "dev", sIf);
        server.Ip("link", "set", sIf, "up");
        server.Ip("route", "add", "10.233.0.0/24", "via", "10.232.0.2");
        relay.Ip("addr", "add", "10.232.0.2/24", "dev", rsIf);
        relay.Ip("addr", "add", "10.233.0.1/24", "dev", rcIf);
        relay.Ip("link", "set", rsIf, "up");
        relay.Ip("link", "set", rcIf, "up");
        client.Ip("link", "set", cIf, "up");

        var dir = Directory.CreateTempSubdirectory("netbootpi-relay-").FullName;
        var script = Path.Combine(dir, "script.sh");
        await File.WriteAllTextAsync(script, "#!/bin/sh\necho \"event=$1 ip=$ip router=$router serverid=$serverid\"\n",
            TestContext.Current.CancellationToken);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var policy = new TestDhcpPolicy();
        policy.NetworkList.Add(new DhcpNetwork
        {
            Name = "behind-relay",
            InterfaceName = null, // reached only through the relay
            ServerAddress = Ipv4Address.Parse("10.232.0.1"),
            Subnet = Ipv4Network.TryParse("10.233.0.0/24", out var n) ? n : default,
            RangeStart = Ipv4Address.Parse("10.233.0.100"),
            RangeEnd = Ipv4Address.Parse("10.233.0.110"),
            Routers = [Ipv4Address.Parse("10.233.0.1")],
        });
        var store = LeaseStore.Open(Path.Combine(dir, "state"));
        var observer = new Observer();
        var engine = new DhcpEngine(policy, store, TimeProvider.System, store.Recovered);
        var transport = new DhcpUdpTransport(engine, store, new DhcpTransportOptions { Interfaces = [sIf] }, observer);
        System.Diagnostics.Process? dnsmasq = null;
        try
        {
            server.Run(() => { transport.Start(); return 0; });
            var psi = new System.Diagnostics.ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "netns", "exec", relay.Name, "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--port=0",
                         "--dhcp-relay=10.233.0.1,10.232.0.1", "--user=root", "--pid-file=", "--log-facility=-" })
                psi.ArgumentList.Add(a);
            dnsmasq = System.Diagnostics.Process.Start(psi)!;
            var (exit, text) = client.ExecIn(TimeSpan.FromSeconds(30), "busybox", "udhcpc", "-i", cIf, "-f", "-q", "-n", "-t", "5", "-T", "1", "-s", script);
            Assert.True(exit == 0, $"udhcpc exit {exit}: {text}\nengine: {string.Join("; ", observer.Events)}");
            Assert.Contains("event=bound ip=10.233.0.100 router=10.233.0.1 serverid=10.232.0.1", text);
            Assert.Contains("Reply Ack Relay", observer.Events);
        }
        finally
        {
            if (dnsmasq is not null)
            {
                dnsmasq.Kill(entireProcessTree: true);
                await dnsmasq.WaitForExitAsync(TestContext.Current.CancellationToken);
                dnsmasq.Dispose();
            }
            await transport.DisposeAsync();
            store.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }

    private sealed class Observer : IDhcpTransportObserver
    {
        public ConcurrentQueue<string> Events { get; } = new();
        public void OnRejected(string interfaceName, IPEndPoint source, DhcpParseError error) => Events.Enqueue($"rejected {error}");
        public void OnHandled(string interfaceName, in DhcpEngineResult result) => Events.Enqueue($"{result.Disposition} {result.ReplyType} {result.Route.Kind}");
        public void OnSendFailed(string interfaceName, in DhcpEngineResult result, Exception error) => Events.Enqueue($"send failed {error.Message}");
        public void OnReceiveFailed(string interfaceName, int port, Exception error) => Events.Enqueue($"receive failed {error.Message}");
    }
}
