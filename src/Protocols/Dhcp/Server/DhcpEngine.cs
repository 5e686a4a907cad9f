using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dhcp.Server;

/// <summary>
/// The DHCP server state machine (RFC 2131 §4.3), free of I/O: a parsed request and its receive context in,
/// a reply written into the caller's buffer plus where to send it and which lease commit it waits for out.
/// Time comes from the injected <see cref="TimeProvider"/>. Thread-safe: one request at a time under a lock
/// (a request costs microseconds; durability waits happen outside, in the transport).
/// </summary>
public sealed partial class DhcpEngine
{
    public const int ServerPort = 67;
    public const int ClientPort = 68;
    public const int PxeBootServerPort = 4011;

    private readonly IDhcpPolicySource _policies;
    private readonly ILeaseJournal _journal;
    private readonly TimeProvider _time;
    private readonly DhcpEngineOptions _options;
    private readonly LeaseTable _table = new();
    private readonly Dictionary<string, uint> _poolCursor = [];
    private readonly DhcpMessage _reply = new();
    private readonly DhcpOptionSet _candidates = new();
    private readonly Lock _gate = new();
    private bool _bindingsChanged;

    /// <summary>
    /// Raised after a request that bound an address to a new client or a new name, released one or declined one, or
    /// bound one whose lease had ended; not after a renewal, which only moves a lease's end. Raised on the thread
    /// that handled the request, outside the engine's lock: a handler must be quick and must not wait.
    /// </summary>
    public event Action? BindingsChanged;

    /// <param name="recovered">Leases read back by the store at start-up, oldest first.</param>
    public DhcpEngine(IDhcpPolicySource policies, ILeaseJournal journal, TimeProvider time,
        IEnumerable<DhcpLease> recovered, DhcpEngineOptions? options = null)
    {
        _policies = policies;
        _journal = journal;
        _time = time;
        _options = options ?? new DhcpEngineOptions();
        foreach (var lease in recovered) _table.Apply(lease);
    }

    /// <summary>A copy of every lease record, for listing and status pages.</summary>
    public IReadOnlyList<DhcpLease> SnapshotLeases()
    {
        lock (_gate) return [.. _table.Leases];
    }

    /// <summary>
    /// The MAC bound to <paramref name="address"/> now (a live, unexpired binding; not an offer, a released or a
    /// declined address), or null. One lookup under the lock: cheap enough for every file a client fetches.
    /// </summary>
    public MacAddress? BoundTo(Ipv4Address address)
    {
        lock (_gate)
        {
            return _table.TryGetLease(address, out var lease) && lease.State == DhcpLeaseState.Bound &&
                lease.ExpiresAt > _time.GetUtcNow()
                ? lease.Mac
                : null;
        }
    }

    /// <summary>Handles one parsed request; see <see cref="DhcpEngineResult"/> for what to do with the result.</summary>
    public DhcpEngineResult Handle(DhcpMessage request, in DhcpReceiveContext context, Span<byte> replyBuffer)
    {
        if (request.Operation != DhcpOperation.BootRequest) return DhcpEngineResult.Drop(DhcpDisposition.NotARequest);
        if (!request.IsEthernet) return DhcpEngineResult.Drop(DhcpDisposition.NotEthernet);
        var type = request.MessageType;
        if (type is not (DhcpMessageType.Discover or DhcpMessageType.Request or DhcpMessageType.Decline
            or DhcpMessageType.Release or DhcpMessageType.Inform))
            return DhcpEngineResult.Drop(DhcpDisposition.UnexpectedMessageType);

        var policy = _policies.Current;
        var network = SelectNetwork(policy, request, context);
        if (network is null) return DhcpEngineResult.Drop(DhcpDisposition.UnknownNetwork);
        if (ServerAddressFor(network, context) is not { } server) return DhcpEngineResult.Drop(DhcpDisposition.NoServerAddress, network.Name);
        var s = new Served(policy, network, server);

        DhcpEngineResult result;
        bool changed;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (network.Mode == DhcpServerMode.Proxy) return HandleProxy(request, context, s, replyBuffer);
            if (context.LocalPort == PxeBootServerPort) return DhcpEngineResult.Drop(DhcpDisposition.NotProxyNetwork, network.Name);
            result = type switch
            {
                DhcpMessageType.Discover => Discover(request, context, s, now, replyBuffer),
                DhcpMessageType.Request => Request(request, context, s, now, replyBuffer),
                DhcpMessageType.Decline => Decline(request, s, now),
                DhcpMessageType.Release => Release(request, s, now),
                _ => Inform(request, context, s, replyBuffer),
            };
            changed = _bindingsChanged;
            _bindingsChanged = false;
        }
        if (changed) BindingsChanged?.Invoke();
        return result;
    }

    /// <summary>
    /// The box's address for this request: the network's own, or for a network reached only through relays
    /// the unicast address the relay sent the request to (RFC 2131 §4.1: the relay forwards to an address of
    /// the server; the client reaches the server there, through the relay's routing).
    /// </summary>
    private static Ipv4Address? ServerAddressFor(DhcpNetwork network, in DhcpReceiveContext context)
    {
        if (network.ServerAddress is { } own) return own;
        var local = context.LocalAddress;
        return local.IsAny || local == Ipv4Address.Broadcast || local.Value >> 28 == 0xE ? null : local;
    }

    /// <summary>
    /// The policy answering this request (one site snapshot for all of it), the network the request belongs to,
    /// and the box's address on it for this request.
    /// </summary>
    private readonly record struct Served(IDhcpPolicy Policy, DhcpNetwork Network, Ipv4Address Server);

    /// <summary>
    /// Relayed requests belong to the network containing giaddr (RFC 2131 §4.3.1: giaddr identifies the
    /// client's subnet); direct ones to the network served on the arrival interface.
    /// </summary>
    private static DhcpNetwork? SelectNetwork(IDhcpPolicy policy, DhcpMessage request, in DhcpReceiveContext context)
    {
        foreach (var n in policy.Networks)
        {
            if (request.GatewayAddress.IsAny ? n.InterfaceName == context.InterfaceName : n.Subnet.Contains(request.GatewayAddress))
                return n;
        }
        return null;
    }

    /// <summary>RFC 2131 §4.1, "the server … sends": one switch, in the RFC's order of precedence.</summary>
    internal static DhcpReplyRoute Route(DhcpMessage request, DhcpMessage reply, DhcpMessageType type, in DhcpReceiveContext context)
    {
        var mac = request.ClientMac;
        if (context.LocalPort == PxeBootServerPort)
            return new(DhcpRouteKind.Source, context.Source, context.SourcePort, context.InterfaceName, mac);
        if (!request.GatewayAddress.IsAny)
            return new(DhcpRouteKind.Relay, request.GatewayAddress, ServerPort, context.InterfaceName, mac);
        if (type == DhcpMessageType.Nak)
            return new(DhcpRouteKind.Broadcast, Ipv4Address.Broadcast, ClientPort, context.InterfaceName, mac);
        if (!request.ClientAddress.IsAny)
            return new(DhcpRouteKind.ClientAddress, request.ClientAddress, ClientPort, context.InterfaceName, mac);
        if (request.IsBroadcast || reply.YourAddress.IsAny)
            return new(DhcpRouteKind.Broadcast, Ipv4Address.Broadcast, ClientPort, context.InterfaceName, mac);
        return new(DhcpRouteKind.ClientHardware, reply.YourAddress, ClientPort, context.InterfaceName, mac);
    }
}
