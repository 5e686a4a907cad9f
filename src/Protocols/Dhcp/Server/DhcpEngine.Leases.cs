using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Dhcp.Options;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dhcp.Server;

// The authoritative-mode message handlers (RFC 2131 §4.3) and address allocation.
public sealed partial class DhcpEngine
{
    private DhcpEngineResult Discover(DhcpMessage request, in DhcpReceiveContext context, Served served,
        DateTimeOffset now, Span<byte> buffer)
    {
        var network = served.Network;
        var mac = request.ClientMac;
        var reservation = served.Policy.FindReservation(network, mac);
        Ipv4Address address;
        if (reservation is not null) address = reservation.Address;
        else if (!TryChooseDynamic(request, network, mac, now, out address))
            return DhcpEngineResult.Drop(DhcpDisposition.PoolExhausted, network.Name);

        _table.HoldOffer(address, mac, now + _options.OfferHold, now);
        var boot = served.Policy.DecideBoot(network, request, served.Server);
        BuildReply(request, served, DhcpMessageType.Offer, address, reservation, boot, LeaseTimeFor(network, mac, reservation));
        return Finish(request, context, network, DhcpMessageType.Offer, buffer, ticket: 0);
    }

    // RFC 2131 §4.3.1: the client's current or previous address if valid, else the requested one, else a new one.
    private bool TryChooseDynamic(DhcpMessage request, DhcpNetwork network, MacAddress mac, DateTimeOffset now, out Ipv4Address address)
    {
        if (_table.TryGetOffer(mac, now, out address) && IsAcceptable(network, address, mac, null, now)) return true;
        if (_table.TryGetLastAddress(mac, out address) && IsAcceptable(network, address, mac, null, now)) return true;
        if (request.Options.TryGetAddress(DhcpOptionCode.RequestedIpAddress, out address) &&
            IsAcceptable(network, address, mac, null, now))
            return true;
        return TryAllocate(network, mac, now, out address);
    }

    /// <summary>
    /// Next-fit over the range: first an address nobody has held (so returning clients find theirs still free),
    /// then one whose previous holder's lease has expired or been released.
    /// </summary>
    private bool TryAllocate(DhcpNetwork network, MacAddress mac, DateTimeOffset now, out Ipv4Address address)
    {
        address = default;
        if (network.RangeEnd < network.RangeStart) return false;
        var size = (ulong)network.RangeEnd.Value - network.RangeStart.Value + 1;
        if (!_poolCursor.TryGetValue(network.Name, out var cursor) || cursor < network.RangeStart.Value || cursor > network.RangeEnd.Value)
            cursor = network.RangeStart.Value;
        for (var pass = 0; pass < 2; pass++)
        {
            var candidate = cursor;
            for (ulong i = 0; i < size; i++)
            {
                var a = new Ipv4Address(candidate);
                candidate = candidate == network.RangeEnd.Value ? network.RangeStart.Value : candidate + 1;
                if ((pass == 1 || _table.IsPristine(a, now)) && IsAcceptable(network, a, mac, null, now))
                {
                    _poolCursor[network.Name] = candidate;
                    address = a;
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>
    /// Whether <paramref name="mac"/> may hold <paramref name="address"/> on <paramref name="network"/>: its static
    /// address if it has one; otherwise an address of the dynamic range that is not the server's, not a static
    /// host's, not the subnet's network or broadcast address, and not held or quarantined for someone else.
    /// </summary>
    private bool IsAcceptable(DhcpNetwork network, Ipv4Address address, MacAddress mac, DhcpReservation? reservation, DateTimeOffset now)
    {
        if (reservation is not null) return address == reservation.Address;
        var subnet = network.Subnet;
        return network.InRange(address)
            && address != network.ServerAddress
            && !network.ReservedAddresses.Contains(address)
            && !(subnet.HasReservedEnds && (address == subnet.Address || address == subnet.BroadcastAddress))
            && _table.IsAvailable(address, mac, now);
    }

    /// <summary>
    /// The network's lease time, or <see cref="DhcpEngineOptions.ProbationLease"/> for a MAC without a reservation
    /// that has never been bound here: its first lease is short, its renewals get the whole time. Decided before
    /// the lease is recorded, so the ACK that binds a new client still carries the short time.
    /// </summary>
    private TimeSpan LeaseTimeFor(DhcpNetwork network, MacAddress mac, DhcpReservation? reservation) =>
        reservation is null && _options.ProbationLease is { } probation && probation < network.LeaseTime &&
        !_table.TryGetLastAddress(mac, out _)
            ? probation
            : network.LeaseTime;

    /// <summary>RFC 2131 §4.3.2: the client state is told apart by option 54, option 50 and ciaddr.</summary>
    private DhcpEngineResult Request(DhcpMessage request, in DhcpReceiveContext context, Served served,
        DateTimeOffset now, Span<byte> buffer)
    {
        var network = served.Network;
        var mac = request.ClientMac;
        var hasServerId = request.Options.TryGetAddress(DhcpOptionCode.ServerIdentifier, out var serverId);
        var hasRequested = request.Options.TryGetAddress(DhcpOptionCode.RequestedIpAddress, out var requested);

        if (hasServerId && serverId != served.Server)
        {
            // SELECTING, and the client chose another server's offer: ours is free again.
            _table.ReleaseOffer(mac);
            return DhcpEngineResult.Drop(DhcpDisposition.OtherServerSelected, network.Name);
        }

        // SELECTING (54 + 50) and INIT-REBOOT (50, no 54) name the address in option 50; RENEWING and
        // REBINDING put it in ciaddr. Some clients in SELECTING fill ciaddr instead of 50; accept that too.
        var address = hasRequested ? requested : request.ClientAddress;
        if (address.IsAny) return Nak(request, context, served, buffer);

        var reservation = served.Policy.FindReservation(network, mac);
        // §4.3.2 INIT-REBOOT/RENEWING/REBINDING: an address not on this network, or not this client's, is NAKed
        // (this server is authoritative for its networks).
        if (!network.Subnet.Contains(address) || !IsAcceptable(network, address, mac, reservation, now))
            return Nak(request, context, served, buffer);

        // The client's name for itself (dnsmasq's rules); a renewal that sends none keeps the one it gave before, as
        // dnsmasq keeps it (lease_set_hostname is only called with a name).
        var name = ClientHostName.Read(request.Options, out _);
        if (name is null && _table.TryGetLease(address, out var held) && held.Mac == mac) name = held.HostName;
        var lease = LeaseTimeFor(network, mac, reservation);
        var ticket = Record(new DhcpLease(address, mac, DhcpLeaseState.Bound, now + lease, name));
        var boot = served.Policy.DecideBoot(network, request, served.Server);
        BuildReply(request, served, DhcpMessageType.Ack, address, reservation, boot, lease);
        return Finish(request, context, network, DhcpMessageType.Ack, buffer, ticket);
    }

    private DhcpEngineResult Nak(DhcpMessage request, in DhcpReceiveContext context, Served served, Span<byte> buffer)
    {
        StartReply(request, served.Server, DhcpMessageType.Nak);
        // §4.3.2: a NAK going through a relay asks it to broadcast, since the client's address is wrong.
        if (!request.GatewayAddress.IsAny) _reply.IsBroadcast = true;
        _reply.Options.SetString(DhcpOptionCode.Message, "requested address is not valid here", required: true);
        EchoClientOptions(request);
        return Finish(request, context, served.Network, DhcpMessageType.Nak, buffer, ticket: 0);
    }

    private DhcpEngineResult Decline(DhcpMessage request, Served served, DateTimeOffset now)
    {
        var network = served.Network;
        var mac = request.ClientMac;
        if (request.Options.TryGetAddress(DhcpOptionCode.ServerIdentifier, out var serverId) && serverId != served.Server)
            return DhcpEngineResult.Drop(DhcpDisposition.OtherServerSelected, network.Name);
        if (!request.Options.TryGetAddress(DhcpOptionCode.RequestedIpAddress, out var address) || !HoldsOrWasOffered(mac, address, now))
            return DhcpEngineResult.Drop(DhcpDisposition.NoMatchingLease, network.Name, address);
        // RFC 2131 §4.3.3: the address is in use by someone we do not know; keep it out of the pool.
        _table.ReleaseOffer(mac);
        Record(new DhcpLease(address, mac, DhcpLeaseState.Declined, now + _options.DeclineQuarantine));
        return DhcpEngineResult.Drop(DhcpDisposition.Declined, network.Name, address);
    }

    private DhcpEngineResult Release(DhcpMessage request, Served served, DateTimeOffset now)
    {
        var network = served.Network;
        var mac = request.ClientMac;
        var address = request.ClientAddress;
        if (request.Options.TryGetAddress(DhcpOptionCode.ServerIdentifier, out var serverId) && serverId != served.Server)
            return DhcpEngineResult.Drop(DhcpDisposition.OtherServerSelected, network.Name);
        if (!_table.TryGetLease(address, out var lease) || lease.Mac != mac || lease.State != DhcpLeaseState.Bound)
            return DhcpEngineResult.Drop(DhcpDisposition.NoMatchingLease, network.Name, address);
        // §4.3.4: the server marks the address not allocated but remembers the binding for the same client.
        Record(lease with { State = DhcpLeaseState.Released, ExpiresAt = now });
        return DhcpEngineResult.Drop(DhcpDisposition.Released, network.Name, address);
    }

    private DhcpEngineResult Inform(DhcpMessage request, in DhcpReceiveContext context, Served served, Span<byte> buffer)
    {
        // RFC 2131 §4.3.5: configuration only — no yiaddr, no lease time.
        var boot = served.Policy.DecideBoot(served.Network, request, served.Server);
        var reservation = served.Policy.FindReservation(served.Network, request.ClientMac);
        BuildReply(request, served, DhcpMessageType.Ack, Ipv4Address.Any, reservation, boot, lease: null);
        _reply.ClientAddress = request.ClientAddress;
        return Finish(request, context, served.Network, DhcpMessageType.Ack, buffer, ticket: 0);
    }

    /// <summary>
    /// Applies and journals a lease record; a record that changes who holds the address, its state or its name (not
    /// a renewal, which only moves the expiry) marks the bindings changed for <see cref="BindingsChanged"/>.
    /// </summary>
    private long Record(in DhcpLease lease)
    {
        if (!_table.TryGetLease(lease.Address, out var before) || before.Mac != lease.Mac || before.State != lease.State
            || before.HostName != lease.HostName || before.ExpiresAt <= _time.GetUtcNow())
            _bindingsChanged = true;
        _table.Apply(lease);
        return _journal.Append(lease);
    }

    private bool HoldsOrWasOffered(MacAddress mac, Ipv4Address address, DateTimeOffset now) =>
        (_table.TryGetOffer(mac, now, out var offered) && offered == address) ||
        (_table.TryGetLease(address, out var lease) && lease.Mac == mac && lease.State == DhcpLeaseState.Bound);
}
