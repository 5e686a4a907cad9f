using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dhcp.Server;

/// <summary>
/// The site's answers the engine needs, from one site snapshot: the engine takes one policy from its
/// <see cref="IDhcpPolicySource"/> per request and asks it everything for that request, so a reload between two
/// questions never answers one request from two sites. Every member must be cheap and thread-safe.
/// </summary>
public interface IDhcpPolicy
{
    /// <summary>Every network whose mode is authoritative or proxy.</summary>
    IReadOnlyList<DhcpNetwork> Networks { get; }

    /// <summary>The static address for <paramref name="mac"/> on <paramref name="network"/>, or null.</summary>
    DhcpReservation? FindReservation(DhcpNetwork network, MacAddress mac);

    /// <summary>
    /// The boot decision for this request (options 93, 60, 77, 175, 97 and the MAC are in
    /// <paramref name="request"/>, which must not be modified). <paramref name="server"/> is the box's address
    /// for this request (the server identifier the reply carries): next-server, option 66 and boot URLs name it.
    /// </summary>
    DhcpBootDecision DecideBoot(DhcpNetwork network, DhcpMessage request, Ipv4Address server);
}
