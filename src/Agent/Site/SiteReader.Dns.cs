using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NetbootPi.Agent.Site.Yaml;
using NetbootPi.Protocols.Dns;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Site;

// dns: the box's name, where it answers, its TTL and the site's extra records.
internal sealed partial class SiteReader
{
    private static readonly string[] DnsKeys = ["name", "listen", "ttl", "records"];
    private static readonly string[] DnsRecordKeys = ["a", "aaaa", "cname", "txt", "srv"];

    /// <summary>The section as written; the networks and names it refers to are checked by <see cref="CheckDns"/>.</summary>
    private DnsSettings? ReadDns(YamlNode node, string? domain, YamlNode sectionKey)
    {
        if (node is YamlScalar { IsNull: true }) node = new YamlMapping(node.Location, []);
        var m = Mapping(node, "dns", "a mapping with name, listen, ttl and records (or {} for every default)", DnsKeys);
        if (m is null) return null;
        if (domain is null)
            Error(sectionKey, "dns", "needs site.domain: the names the box answers for are NAME.DOMAIN (expected a domain under site:, like domain: netsoc.internal)");
        var name = DnsSettings.DefaultServerName;
        if (m.TryGetValue("name", out var n))
            name = Name(n, "dns.name", "DNS label", IsHostName, "letters, digits and '-', at most 63, like netbootpi")?.ToLowerInvariant() ?? name;
        ImmutableArray<string>? listen = null;
        if (m.TryGetValue("listen", out var l))
            listen = StringList(l, "dns.listen", "network names", (s, _) => s.Value);
        var ttl = DnsSettings.DefaultTtl;
        if (m.TryGetValue("ttl", out var t) && Duration(t, "dns.ttl") is { } d)
        {
            if (d < TimeSpan.Zero || d.TotalSeconds > int.MaxValue) Error(t, "dns.ttl", $"'{((YamlScalar)t).Value}' is too long for a DNS TTL (expected at most 68y)");
            else ttl = d;
        }
        var records = ImmutableArray.CreateBuilder<DnsRecord>();
        if (m.TryGetValue("records", out var r) && domain is not null)
            ReadDnsRecords(r, domain, (uint)ttl.TotalSeconds, records);
        // Returned even with errors, so that the cross-checks report theirs too: every problem at once.
        return new DnsSettings(name, listen, ttl, records.ToImmutable());
    }

    private void ReadDnsRecords(YamlNode node, string domain, uint ttl, ImmutableArray<DnsRecord>.Builder records)
    {
        if (node is YamlScalar { IsNull: true }) return;
        if (node is not YamlMapping map)
        {
            Error(node, "dns.records", $"expected a mapping of names to records, like shoe: {{ cname: napalm }}, found {node.Describe()}");
            return;
        }
        var owners = new Dictionary<string, YamlScalar>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in map.Entries)
        {
            var path = $"dns.records.{key.Value}";
            var owner = RecordOwner(key, path, domain);
            var m = Mapping(value, path, "a mapping with a, aaaa, cname, txt or srv", DnsRecordKeys);
            if (owner is null || m is null) continue;
            if (!owners.TryAdd(owner, key))
            {
                Error(key, path, $"{owner} is already named at line {owners[owner].Location.Line} (expected each name once; names are case-insensitive)");
                continue;
            }
            if (m.Count == 0) Error(value, path, "no records (expected at least one of a, aaaa, cname, txt, srv)");
            // RFC 1034 §3.6.2: a name with a CNAME has no other data.
            if (m.ContainsKey("cname") && m.Count > 1)
                Error(value, path, $"a cname and other records at one name (expected the cname alone: a name that is an alias has no records of its own)");
            foreach (var (type, v) in m)
            {
                var p = $"{path}.{type}";
                switch (type)
                {
                    case "a":
                        foreach (var ip in List(v, p, "IPv4 addresses", Ip)) records.Add(DnsRecord.A(owner, ttl, ip));
                        break;
                    case "aaaa":
                        foreach (var bytes in StringList(v, p, "IPv6 addresses", (s, sp) => Ipv6(s, sp)))
                            records.Add(DnsRecord.Aaaa(owner, ttl, Convert.FromHexString(bytes)));
                        break;
                    case "cname":
                        if (Scalar(v, p, "a name, like napalm or www.example.org.") is { } c && Target(c, p, domain) is { } target)
                            records.Add(DnsRecord.Cname(owner, ttl, target));
                        break;
                    case "txt":
                        var texts = StringList(v, p, "texts", (s, sp) =>
                        {
                            if (System.Text.Encoding.UTF8.GetByteCount(s.Value) <= 255) return s.Value;
                            Error(s, sp, $"a text of {System.Text.Encoding.UTF8.GetByteCount(s.Value)} bytes (expected at most 255 bytes per text; make a list of several)");
                            return null;
                        });
                        if (texts.Length > 0) records.Add(DnsRecord.Txt(owner, ttl, texts));
                        break;
                    default:
                        foreach (var srv in StringList(v, p, "SRV values like '0 5 80 shoe'", (s, sp) => Srv(s, sp, domain)))
                            records.Add(ParsedSrv(srv, owner, ttl));
                        break;
                }
            }
        }
    }

    /// <summary><c>@</c> is the domain itself; anything else is relative to it (labels of letters, digits, '-' and '_').</summary>
    private string? RecordOwner(YamlScalar key, string path, string domain)
    {
        if (key.Value == "@") return domain;
        var labels = key.Value.Split('.');
        if (labels.All(IsRecordLabel) && key.Value.Length + 1 + domain.Length <= 253) return $"{key.Value.ToLowerInvariant()}.{domain}";
        Error(key, path, $"'{key.Value}' is not a name in the domain (expected labels of letters, digits, '-' and '_' separated by dots, relative to {domain}, or @ for {domain} itself)");
        return null;
    }

    private static bool IsRecordLabel(string label) =>
        label.Length is > 0 and <= DnsName.MaxLabelLength && label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>A target: relative to the domain, or fully qualified with a trailing dot (<c>www.example.org.</c>).</summary>
    private string? Target(YamlScalar s, string path, string domain)
    {
        var text = s.Value;
        var absolute = text.EndsWith('.');
        var name = absolute ? text[..^1] : text == "@" ? domain : $"{text}.{domain}";
        if (name.Length > 0 && name.Length <= 253 && name.Split('.').All(IsRecordLabel) && text != ".") return name.ToLowerInvariant();
        Error(s, path, $"'{text}' is not a name (expected a name relative to {domain} like napalm, or a full name with a trailing dot like www.example.org.)");
        return null;
    }

    private string? Ipv6(YamlScalar s, string path)
    {
        if (s.Value.Contains(':', StringComparison.Ordinal) && IPAddress.TryParse(s.Value, out var a) && a.AddressFamily == AddressFamily.InterNetworkV6)
            return Convert.ToHexString(a.GetAddressBytes());
        Error(s, path, $"'{s.Value}' is not an IPv6 address (expected something like fd00:69::1)");
        return null;
    }

    // SRV values travel as their text through StringList and are turned into records once checked.
    private string? Srv(YamlScalar s, string path, string domain)
    {
        var parts = s.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 4 && ushort.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out _)
            && ushort.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _)
            && ushort.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            var target = Target(new YamlScalar(s.Location, parts[3], true), path, domain);
            return target is null ? null : $"{parts[0]} {parts[1]} {parts[2]} {target}";
        }
        Error(s, path, $"'{s.Value}' is not an SRV value (expected PRIORITY WEIGHT PORT TARGET, numbers 0-65535, like '0 5 80 shoe')");
        return null;
    }

    private static DnsRecord ParsedSrv(string text, string owner, uint ttl)
    {
        var p = text.Split(' ');
        return DnsRecord.Srv(owner, ttl, ushort.Parse(p[0], CultureInfo.InvariantCulture), ushort.Parse(p[1], CultureInfo.InvariantCulture),
            ushort.Parse(p[2], CultureInfo.InvariantCulture), p[3]);
    }

    /// <summary>
    /// What needs the whole site: the networks <c>dns.listen</c> names are the box's own; the box's name and the
    /// extra names do not take a host's name where that would change what it resolves to; the box never forwards
    /// to itself.
    /// </summary>
    private void CheckDns(DnsSettings dns, YamlNode section, SiteSettings? site, List<Located<NetworkConfig>> networks, List<Located<HostEntry>> hosts)
    {
        var map = section as YamlMapping;
        YamlNode At(string key) => map?.Entries.FirstOrDefault(e => e.Key.Value == key).Value ?? section;
        var attached = networks.Where(n => !n.Value.IsRelayed).Select(n => n.Value.Name).ToArray();
        if (dns.Listen is { } listen && _networksComplete)
        {
            var items = At("listen") is YamlSequence seq ? seq.Items : [At("listen")];
            for (var i = 0; i < listen.Length && i < items.Count; i++)
            {
                var path = items.Count > 1 || At("listen") is YamlSequence ? $"dns.listen[{i}]" : "dns.listen";
                var network = networks.FirstOrDefault(n => n.Value.Name == listen[i])?.Value;
                if (network is null)
                {
                    var hint = Suggest(listen[i], attached) is { } best ? $"did you mean '{best}'? " : "";
                    Error(items[i], path, $"unknown network '{listen[i]}' ({hint}the box's networks: {string.Join(", ", attached)})");
                }
                else if (network.IsRelayed)
                    Error(items[i], path, $"'{listen[i]}' is a relayed network: the box has no address on it (expected one of the box's networks: {string.Join(", ", attached)})");
            }
        }
        var byName = hosts.ToDictionary(h => h.Value.Name, h => h, StringComparer.OrdinalIgnoreCase);
        if (byName.TryGetValue(dns.ServerName, out var clash))
            Error(At("name"), "dns.name", $"{dns.ServerName} is also host {clash.Value.Name} at line {clash.Key.Location.Line} (expected a name for the box that no host has; set dns.name)");
        if (site?.Domain is { } domain && At("records") is YamlMapping records)
        {
            foreach (var (key, value) in records.Entries)
            {
                var owner = key.Value == "@" ? "" : key.Value;
                if (value is not YamlMapping rm || !rm.Entries.Any(e => e.Key.Value == "cname")) continue;
                if (byName.TryGetValue(owner, out var h))
                    Error(key, $"dns.records.{key.Value}", $"{owner}.{domain} is host {h.Value.Name}'s name at line {h.Key.Location.Line} (expected an alias no host has: a name with a cname has no address of its own)");
                else if (string.Equals(owner, dns.ServerName, StringComparison.OrdinalIgnoreCase))
                    Error(key, $"dns.records.{key.Value}", $"{owner}.{domain} is the box's own name (dns.name) (expected an alias no host has)");
            }
        }
        if (site is null) return;
        foreach (var upstream in site.UpstreamDns)
        {
            if (networks.FirstOrDefault(n => n.Value.BoxAddress == upstream) is not { } own) continue;
            Error(section, "dns", $"site.upstream_dns names {upstream}, the box's own address on network {own.Value.Name}: the box would forward to itself (expected resolvers other than the box)");
        }
    }
}
