using NetbootPi.Agent.Site.Yaml;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Site;

// defaults and hosts: the machines the site knows by MAC, and the profile of those it does not.
internal sealed partial class SiteReader
{
    private static readonly string[] DefaultsKeys = ["profile"];
    private static readonly string[] HostKeys = ["mac", "ip", "profile", "pi_serial", "power", "recovery", "console"];

    private (string Profile, YamlScalar? Node) ReadDefaults(YamlNode node)
    {
        var m = Mapping(node, "defaults", "a mapping with profile", DefaultsKeys);
        if (m is null || !m.TryGetValue("profile", out var p)) return (SiteInventory.NoProfile, null);
        var s = Scalar(p, "defaults.profile", "a profile name or none");
        return s is null ? (SiteInventory.NoProfile, null) : (s.Value, s);
    }

    private List<Located<HostEntry>> ReadHosts(YamlNode node)
    {
        var result = new List<Located<HostEntry>>();
        if (node is YamlScalar { IsNull: true }) return result;
        if (node is not YamlMapping map)
        {
            Error(node, "hosts", $"expected a mapping of host names to hosts, found {node.Describe()}");
            return result;
        }
        foreach (var (key, value) in map.Entries)
        {
            var path = $"hosts.{key.Value}";
            var nameOk = IsHostName(key.Value);
            if (!nameOk)
                Error(key, path, $"'{key.Value}' is not a valid host name (expected letters, digits and '-', at most 63, not starting or ending with '-')");
            var m = Mapping(value, path, "a mapping with mac, and optionally ip, profile, pi_serial, power, recovery and console", HostKeys, ["mac"]);
            if (m is null) continue;
            var mac = m.TryGetValue("mac", out var mv) ? Mac(mv, $"{path}.mac") : null;
            Ipv4Address? ip = null;
            var ipOk = true;
            if (m.TryGetValue("ip", out var iv)) { ip = Ip(iv, $"{path}.ip"); ipOk = ip is not null; }
            string? profile = null;
            if (m.TryGetValue("profile", out var pv)) profile = String(pv, $"{path}.profile", "a profile name or none");
            string? serial = null;
            var serialOk = true;
            if (m.TryGetValue("pi_serial", out var sv))
            {
                var s = Scalar(sv, $"{path}.pi_serial", "a Raspberry Pi serial number of 8 hex digits, like 3a4b5c6d");
                serialOk = s is not null && IsPiSerial(s.Value);
                if (s is not null && !serialOk)
                    Error(s, $"{path}.pi_serial", $"'{s.Value}' is not a Raspberry Pi serial number (expected 8 hex digits, like 3a4b5c6d; see 'vcgencmd otp_dump | grep ^28:')");
                serial = s?.Value.ToLowerInvariant();
            }
            HostPower? power = null;
            var powerOk = true;
            if (m.TryGetValue("power", out var pw)) { power = ReadPower(pw, $"{path}.power"); powerOk = power is not null; }
            RecoveryPolicy? recovery = null;
            var recoveryOff = false;
            var recoveryOk = true;
            if (m.TryGetValue("recovery", out var rv))
            {
                var errors = _errors.Count;
                recovery = ReadRecovery(rv, $"{path}.recovery", onHost: true, out recoveryOff);
                recoveryOk = _errors.Count == errors;
            }
            HostConsole? console = null;
            var consoleOk = true;
            if (m.TryGetValue("console", out var cv)) { console = ReadConsole(cv, $"{path}.console"); consoleOk = console is not null; }
            if (nameOk && mac is not null && ipOk && serialOk && powerOk && recoveryOk && consoleOk && (profile is not null || pv is null))
                result.Add(new(new HostEntry(key.Value, mac.Value, ip, profile, serial, key.Location)
                    { Power = power, Recovery = recovery, RecoveryOff = recoveryOff, Console = console }, value, key, m));
        }
        return result;
    }
}
