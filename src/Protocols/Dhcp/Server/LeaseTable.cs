using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dhcp.Server;

/// <summary>
/// The engine's in-memory view: one record per address (durable state), the last address each MAC held
/// (so a returning client gets it back) and the short-lived offers (never persisted).
/// </summary>
internal sealed class LeaseTable
{
    private readonly Dictionary<Ipv4Address, DhcpLease> _leases = [];
    private readonly Dictionary<MacAddress, Ipv4Address> _lastByMac = [];
    private readonly Dictionary<Ipv4Address, (MacAddress Mac, DateTimeOffset Until)> _offers = [];
    private readonly Dictionary<MacAddress, Ipv4Address> _offerByMac = [];
    private int _sweepAt = 1024;

    public int Count => _leases.Count;

    public IEnumerable<DhcpLease> Leases => _leases.Values;

    public void Apply(in DhcpLease lease)
    {
        if (_leases.TryGetValue(lease.Address, out var previous) && previous.Mac != lease.Mac &&
            _lastByMac.TryGetValue(previous.Mac, out var prevAddr) && prevAddr == lease.Address)
            _lastByMac.Remove(previous.Mac);
        _leases[lease.Address] = lease;
        if (lease.State == DhcpLeaseState.Declined)
        {
            if (_lastByMac.TryGetValue(lease.Mac, out var a) && a == lease.Address) _lastByMac.Remove(lease.Mac);
        }
        else _lastByMac[lease.Mac] = lease.Address;
        if (_offers.TryGetValue(lease.Address, out var offer))
        {
            _offers.Remove(lease.Address);
            if (_offerByMac.TryGetValue(offer.Mac, out var o) && o == lease.Address) _offerByMac.Remove(offer.Mac);
        }
    }

    public bool TryGetLease(Ipv4Address address, out DhcpLease lease) => _leases.TryGetValue(address, out lease);

    public bool TryGetLastAddress(MacAddress mac, out Ipv4Address address) => _lastByMac.TryGetValue(mac, out address);

    public bool TryGetOffer(MacAddress mac, DateTimeOffset now, out Ipv4Address address)
    {
        if (_offerByMac.TryGetValue(mac, out address) && _offers.TryGetValue(address, out var o) && o.Mac == mac && o.Until > now)
            return true;
        address = default;
        return false;
    }

    public void HoldOffer(Ipv4Address address, MacAddress mac, DateTimeOffset until, DateTimeOffset now)
    {
        ReleaseOffer(mac);
        if (_offers.Count >= _sweepAt) SweepOffers(now);
        _offers[address] = (mac, until);
        _offerByMac[mac] = address;
    }

    /// <summary>Forgets the offer held for <paramref name="mac"/>, if any; true when there was one.</summary>
    public bool ReleaseOffer(MacAddress mac)
    {
        if (!_offerByMac.Remove(mac, out var address)) return false;
        if (_offers.TryGetValue(address, out var o) && o.Mac == mac) _offers.Remove(address);
        return true;
    }

    /// <summary>
    /// False when another MAC has a live binding or a live offer on the address, or when it is quarantined
    /// (a declined address is refused to every MAC, including the one that declined it).
    /// </summary>
    public bool IsAvailable(Ipv4Address address, MacAddress mac, DateTimeOffset now)
    {
        if (_leases.TryGetValue(address, out var lease) && lease.Blocks(now) &&
            (lease.Mac != mac || lease.State == DhcpLeaseState.Declined))
            return false;
        return !_offers.TryGetValue(address, out var offer) || offer.Until <= now || offer.Mac == mac;
    }

    /// <summary>True when no one ever held the address (as far as the journal remembers) and no offer is live.</summary>
    public bool IsPristine(Ipv4Address address, DateTimeOffset now) =>
        !_leases.ContainsKey(address) && (!_offers.TryGetValue(address, out var offer) || offer.Until <= now);

    // Offers to clients that never came back would otherwise accumulate; sweeping when the table doubles
    // keeps the cost amortized O(1) per offer.
    private void SweepOffers(DateTimeOffset now)
    {
        List<Ipv4Address>? stale = null;
        foreach (var (address, offer) in _offers)
            if (offer.Until <= now) (stale ??= []).Add(address);
        if (stale is not null)
        {
            foreach (var address in stale)
            {
                _offers.Remove(address, out var offer);
                if (_offerByMac.TryGetValue(offer.Mac, out var a) && a == address) _offerByMac.Remove(offer.Mac);
            }
        }
        _sweepAt = Math.Max(1024, _offers.Count * 2);
    }
}
