using System.Text;
using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Options;
using NetbootPi.Protocols.Dhcp.Server;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Tests.Dhcp;

/// <summary>
/// A small policy in the spirit of the agent's: statics by MAC; PXE clients get a loader by architecture,
/// iPXE gets a script URL and 175.176 = 1, everyone else no boot offer. Its own source: tests change it in place
/// between requests.
/// </summary>
internal sealed class TestDhcpPolicy : IDhcpPolicy, IDhcpPolicySource
{
    public IDhcpPolicy Current => this;

    public List<DhcpNetwork> NetworkList { get; } = [];
    public Dictionary<MacAddress, DhcpReservation> Reservations { get; } = [];
    public HashSet<MacAddress> NoBoot { get; } = [];

    public IReadOnlyList<DhcpNetwork> Networks => NetworkList;

    public DhcpReservation? FindReservation(DhcpNetwork network, MacAddress mac) =>
        Reservations.TryGetValue(mac, out var r) && network.Subnet.Contains(r.Address) ? r : null;

    public DhcpBootDecision DecideBoot(DhcpNetwork network, DhcpMessage request, Ipv4Address server)
    {
        if (NoBoot.Contains(request.ClientMac)) return DhcpBootDecision.None;
        if (IpxeOptions.IsIpxe(request.Options))
            return new DhcpBootDecision
            {
                BootFileName = $"http://{server}/boot.ipxe",
                NextServer = server,
                Options = [new(DhcpOptionCode.IpxeEncapsulated, IpxeOptions.NoPxeDhcpValue.ToArray(), Always: true)],
            };
        if (!VendorClass.IsPxeClient(request.Options)) return DhcpBootDecision.None;
        ClientArchitecture.TryGetFirst(request.Options, out var arch);
        return new DhcpBootDecision
        {
            BootFileName = arch == ClientArchitecture.X86Bios ? "undionly.kpxe" : "snponly.efi",
            NextServer = server,
            Options =
            [
                new(DhcpOptionCode.VendorClassIdentifier, "PXEClient"u8.ToArray(), Always: true),
                new(DhcpOptionCode.TftpServerName, Encoding.ASCII.GetBytes(server.ToString())),
            ],
        };
    }

    public static DhcpNetwork Lan(string start = "10.0.0.100", string end = "10.0.0.199", DhcpServerMode mode = DhcpServerMode.Authoritative,
        params string[] reserved) => new()
    {
        Name = "lan",
        InterfaceName = "eth0",
        ServerAddress = Ipv4Address.Parse("10.0.0.1"),
        Subnet = Ipv4Network.TryParse("10.0.0.0/24", out var n) ? n : default,
        Mode = mode,
        RangeStart = Ipv4Address.Parse(start),
        RangeEnd = Ipv4Address.Parse(end),
        LeaseTime = TimeSpan.FromHours(1),
        Routers = [Ipv4Address.Parse("10.0.0.254")],
        DnsServers = [Ipv4Address.Parse("10.0.0.1"), Ipv4Address.Parse("9.9.9.9")],
        DomainName = "lab.example",
        ReservedAddresses = reserved.Select(Ipv4Address.Parse).ToHashSet(),
    };

    /// <summary>A network behind a relay (10.9.0.0/24, relay at 10.9.0.1), served from the box's address 10.0.0.1.</summary>
    public static DhcpNetwork Remote() => new()
    {
        Name = "remote",
        InterfaceName = null,
        ServerAddress = Ipv4Address.Parse("10.0.0.1"),
        Subnet = Ipv4Network.TryParse("10.9.0.0/24", out var n) ? n : default,
        RangeStart = Ipv4Address.Parse("10.9.0.100"),
        RangeEnd = Ipv4Address.Parse("10.9.0.110"),
        Routers = [Ipv4Address.Parse("10.9.0.1")],
    };

    /// <summary>
    /// A network the box is not on (10.70.0.0/16, no interface, no server address): its replies name the address
    /// each relayed request was sent to.
    /// </summary>
    public static DhcpNetwork RelayOnly() => new()
    {
        Name = "far",
        InterfaceName = null,
        ServerAddress = null,
        Subnet = Ipv4Network.TryParse("10.70.0.0/16", out var n) ? n : default,
        RangeStart = Ipv4Address.Parse("10.70.1.100"),
        RangeEnd = Ipv4Address.Parse("10.70.1.110"),
        Routers = [Ipv4Address.Parse("10.70.0.1")],
    };
}
