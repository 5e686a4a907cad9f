using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dhcp.Server;

/// <summary>
/// The site's answers the engine needs. Implemented by the agent from the current site snapshot; every
/// member must be cheap and thread-safe, and the engine reads <see cref="Networks"/> once per request.
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
