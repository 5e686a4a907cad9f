using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Dhcp;

/// <summary>Which machine the DHCP server has bound an address to: how other services tell who a client is.</summary>
public interface IDhcpBindings
{
    /// <summary>The MAC holding a live binding on <paramref name="address"/>, or null (none, or DHCP not started yet).</summary>
    MacAddress? BoundTo(Ipv4Address address);
}
