using System.Collections.Immutable;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Site;

public sealed record DhcpSettings(
    DhcpMode Mode,
    AddressRange? Range,
    TimeSpan LeaseTime,
    Ipv4Address? Router,
    ImmutableArray<Ipv4Address> Dns)
{
    public static readonly TimeSpan DefaultLeaseTime = TimeSpan.FromHours(1);
    public static readonly DhcpSettings Off = new(DhcpMode.Off, null, DefaultLeaseTime, null, []);
}
