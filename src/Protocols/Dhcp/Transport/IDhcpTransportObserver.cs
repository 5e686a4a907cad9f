using System.Net;
using NetbootPi.Protocols.Dhcp.Server;

namespace NetbootPi.Protocols.Dhcp.Transport;

/// <summary>What the transport reports; the agent logs it (Protocols has no logging dependency). Called concurrently.</summary>
public interface IDhcpTransportObserver
{
    /// <summary>A datagram that is not an acceptable DHCP message.</summary>
    void OnRejected(string interfaceName, IPEndPoint source, DhcpParseError error);

    /// <summary>
    /// Every request the engine handled, replied to or not (pool exhaustion, unknown network …). Called on the
    /// receive loop: it must not block (no logging that can wait, no disk); <paramref name="request"/> is reused
    /// for the next datagram once this returns.
    /// </summary>
    void OnHandled(string interfaceName, DhcpMessage request, in DhcpEngineResult result);

    /// <summary>A reply that could not be sent, or whose lease never became durable (then it is not sent).</summary>
    void OnSendFailed(string interfaceName, in DhcpEngineResult result, Exception error);

    /// <summary>
    /// The kernel refused an ARP entry (SIOCSARP; usually no CAP_NET_ADMIN), so replies that RFC 2131 §4.1 would
    /// unicast to a client without an address are broadcast instead. Reported once per transport.
    /// </summary>
    void OnClientUnicastUnavailable(string interfaceName, string reason);

    /// <summary>A socket failed; the listener on that interface stops.</summary>
    void OnReceiveFailed(string interfaceName, int port, Exception error);
}
