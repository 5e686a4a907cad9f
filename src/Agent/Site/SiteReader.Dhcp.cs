using System.Collections.Immutable;
using NetbootPi.Agent.Site.Yaml;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Site;

// networks.NAME.dhcp: how the box serves DHCP on a network.
internal sealed partial class SiteReader
{
    private static readonly string[] DhcpKeys = ["mode", "range", "lease", "router", "dns"];

    private DhcpSettings? ReadDhcp(YamlNode node, string path, Ipv4Network? net)
    {
        var m = Mapping(node, path, "a mapping with mode, range, lease, router and dns", DhcpKeys);
        if (m is null) return null;
        var mode = DhcpMode.Off;
        var ok = true;
        if (m.TryGetValue("mode", out var mn))
        {
            var s = Scalar(mn, $"{path}.mode", "authoritative, proxy or off");
            mode = s?.Value switch
            {
                "authoritative" => DhcpMode.Authoritative,
                "proxy" => DhcpMode.Proxy,
                "off" => DhcpMode.Off,
                _ => (DhcpMode)(-1),
            };
            if (s is not null && mode == (DhcpMode)(-1))
            {
                var hint = Suggest(s.Value, ["authoritative", "proxy", "off"]);
                Error(s, $"{path}.mode", $"unknown mode '{s.Value}' ({(hint is null ? "" : $"did you mean '{hint}'? ")}expected authoritative, proxy or off)");
            }
            if (s is null || mode == (DhcpMode)(-1)) { ok = false; mode = DhcpMode.Off; }
        }
        if (mode == DhcpMode.Proxy)
        {
            // ProxyDHCP hands out no addresses (PXE spec §2.2.5): address options would be ignored; say so.
            foreach (var key in (ReadOnlySpan<string>)["range", "lease", "router", "dns"])
            {
                if (!m.TryGetValue(key, out var extra)) continue;
                Error(extra, $"{path}.{key}", $"has no meaning when mode is proxy (another server hands out addresses; remove {key} or use mode: authoritative)");
                ok = false;
            }
        }
        AddressRange? range = null;
        if (m.TryGetValue("range", out var r) && mode != DhcpMode.Proxy)
        {
            range = Range(r, $"{path}.range", net);
            ok &= range is not null;
        }
        var lease = DhcpSettings.DefaultLeaseTime;
        if (m.TryGetValue("lease", out var l) && mode != DhcpMode.Proxy)
        {
            if (Duration(l, $"{path}.lease") is { } t)
            {
                if (t < TimeSpan.FromMinutes(1))
                {
                    Error(l, $"{path}.lease", $"a lease of {t.TotalSeconds:0}s is too short (expected at least 1m)");
                    ok = false;
                }
                lease = t;
            }
            else ok = false;
        }
        Ipv4Address? router = null;
        if (m.TryGetValue("router", out var rt) && mode != DhcpMode.Proxy)
        {
            router = Ip(rt, $"{path}.router");
            ok &= router is not null && (net is not { } n1 || CheckInside(rt, $"{path}.router", "router", router.Value, n1));
        }
        var dns = ImmutableArray<Ipv4Address>.Empty;
        if (m.TryGetValue("dns", out var dn) && mode != DhcpMode.Proxy)
        {
            var before = _errors.Count;
            dns = List(dn, $"{path}.dns", "IPv4 addresses", Ip);
            ok &= _errors.Count == before;
        }
        return ok ? new DhcpSettings(mode, range, lease, router, dns) : null;
    }

    private AddressRange? Range(YamlNode node, string path, Ipv4Network? network)
    {
        var s = Scalar(node, path, "a range like 10.69.10.1-10.69.20.254");
        if (s is null) return null;
        var dash = s.Value.IndexOf('-');
        if (dash < 0 || !Ipv4Address.TryParse(s.Value.AsSpan(0, dash).Trim(), out var first)
                     || !Ipv4Address.TryParse(s.Value.AsSpan(dash + 1).Trim(), out var last))
        {
            Error(s, path, $"'{s.Value}' is not an address range (expected FIRST-LAST like 10.69.10.1-10.69.20.254)");
            return null;
        }
        if (first > last)
        {
            Error(s, path, $"range {s.Value} starts after it ends (expected FIRST-LAST with FIRST not after LAST)");
            return null;
        }
        if (network is { } net)
        {
            if (net.PrefixLength > 30)
            {
                Error(s, path, $"a /{net.PrefixLength} network has no room for a pool (expected a prefix length of 30 or less on a network with a DHCP range)");
                return null;
            }
            if (!net.Contains(first) || !net.Contains(last))
            {
                Error(s, path, $"range {first}-{last} is not inside the network {net} (expected addresses from {net.Address.Next()} to {new Ipv4Address(net.BroadcastAddress.Value - 1)})");
                return null;
            }
            if (first == net.Address || last == net.BroadcastAddress)
            {
                Error(s, path, $"range {first}-{last} includes the {(first == net.Address ? "network" : "broadcast")} address of {net} (expected host addresses only)");
                return null;
            }
        }
        return new AddressRange(first, last);
    }
}
