using NetbootPi.Agent.Site.Yaml;

namespace NetbootPi.Agent.Site;

// site: the site's name, domain, upstream DNS servers and SSH keys.
internal sealed partial class SiteReader
{
    private static readonly string[] SiteKeys = ["name", "domain", "upstream_dns", "ssh_keys"];

    private SiteSettings? ReadSite(YamlNode node)
    {
        var m = Mapping(node, "site", "a mapping with name, domain, upstream_dns and ssh_keys", SiteKeys, ["name"]);
        if (m is null) return null;
        var name = m.TryGetValue("name", out var n) ? String(n, "site.name", "the site's name") : null;
        string? domain = null;
        if (m.TryGetValue("domain", out var dn))
            domain = Name(dn, "site.domain", "domain name", IsDomainName, "DNS labels of letters, digits and '-' separated by dots, like netsoc.internal");
        var upstream = m.TryGetValue("upstream_dns", out var u) ? List(u, "site.upstream_dns", "IPv4 addresses", Ip) : [];
        var keys = m.TryGetValue("ssh_keys", out var k)
            ? StringList(k, "site.ssh_keys", "SSH public keys", CheckSshKey)
            : [];
        return name is null ? null : new SiteSettings(name, domain?.ToLowerInvariant(), upstream, keys);
    }

    private string? CheckSshKey(YamlScalar key, string path)
    {
        if (SshPublicKey.TryValidate(key.Value, out var problem)) return key.Value.Trim();
        Error(key, path, $"not an SSH public key: {problem} (expected one line of an authorized_keys file, like 'ssh-ed25519 AAAAC3Nza... admin@example')");
        return null;
    }
}
