using System.Collections.Concurrent;
using System.Net;
using System.Runtime.InteropServices;
using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Dhcp.Server;
using NetbootPi.Protocols.Dhcp.Transport;
using NetbootPi.Protocols.Net;

// dhcphost IFACE SERVER-ADDRESS SUBNET/PREFIX FIRST LAST STATE-DIR [LEASE-SECONDS]
// One authoritative network, no static hosts, no boot offers: the DHCP server alone, with durable leases.
if (args.Length is < 6 or > 7 ||
    !Ipv4Address.TryParse(args[1], out var server) || !Ipv4Network.TryParse(args[2], out var subnet) ||
    !Ipv4Address.TryParse(args[3], out var first) || !Ipv4Address.TryParse(args[4], out var last))
{
    Console.Error.WriteLine("usage: dhcphost IFACE SERVER-ADDRESS SUBNET/PREFIX FIRST LAST STATE-DIR [LEASE-SECONDS]");
    return 2;
}
var network = new DhcpNetwork
{
    Name = "bench",
    InterfaceName = args[0],
    ServerAddress = server,
    Subnet = subnet,
    RangeStart = first,
    RangeEnd = last,
    LeaseTime = TimeSpan.FromSeconds(args.Length == 7 ? int.Parse(args[6]) : 3600),
    Routers = [server],
};
using var store = LeaseStore.Open(args[5]);
Console.Error.WriteLine($"dhcphost: recovered {store.Recovery}");
var engine = new DhcpEngine(new OneNetworkPolicy(network), store, TimeProvider.System, store.Recovered);
var observer = new CountingObserver();
var transport = new DhcpUdpTransport(engine, store, new DhcpTransportOptions { Interfaces = [args[0]] }, observer);
transport.Start();
Console.Error.WriteLine($"dhcphost: serving {subnet} ({first}-{last}) on {args[0]} as {server}");

var stop = new TaskCompletionSource();
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
await stop.Task;
await transport.DisposeAsync();
Console.Error.WriteLine($"dhcphost: {observer}; durable ticket {store.DurableTicket}");
return 0;

internal sealed class OneNetworkPolicy(DhcpNetwork network) : IDhcpPolicy, IDhcpPolicySource
{
    public IDhcpPolicy Current => this;
    public IReadOnlyList<DhcpNetwork> Networks { get; } = [network];
    public DhcpReservation? FindReservation(DhcpNetwork n, MacAddress mac) => null;
    public DhcpBootDecision DecideBoot(DhcpNetwork n, DhcpMessage request, Ipv4Address server) => DhcpBootDecision.None;
}

internal sealed class CountingObserver : IDhcpTransportObserver
{
    private readonly ConcurrentDictionary<string, long> _counts = new();

    public void OnRejected(string interfaceName, IPEndPoint source, DhcpParseError error) => Count($"rejected:{error}");
    public void OnHandled(string interfaceName, DhcpMessage request, in DhcpEngineResult result) =>
        Count(result.Disposition == DhcpDisposition.Reply ? result.ReplyType.ToString() : result.Disposition.ToString());
    public void OnSendFailed(string interfaceName, in DhcpEngineResult result, Exception error) => Count($"send-failed:{error.GetType().Name}");
    public void OnReceiveFailed(string interfaceName, int port, Exception error) => Console.Error.WriteLine($"dhcphost: {interfaceName}:{port} receive failed: {error.Message}");
    public void OnClientUnicastUnavailable(string interfaceName, string reason) => Console.Error.WriteLine($"dhcphost: {interfaceName}: no ARP entries ({reason}), broadcasting");

    private void Count(string key) => _counts.AddOrUpdate(key, 1, static (_, v) => v + 1);

    public override string ToString() => string.Join(", ", _counts.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}"));
}
