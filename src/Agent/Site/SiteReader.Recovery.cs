using NetbootPi.Agent.Site.Yaml;

namespace NetbootPi.Agent.Site;

// profiles.NAME.recovery and hosts.NAME.recovery: power-cycling hosts that do not come up (docs/power.md).
internal sealed partial class SiteReader
{
    private static readonly string[] RecoveryKeys = ["boot_timeout", "probe", "attempts", "backoff", "down_after"];
    private static readonly TimeSpan MinBootTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxRecoveryDuration = TimeSpan.FromDays(1);

    /// <summary>
    /// A <c>recovery:</c> mapping. On a host, <c>recovery: false</c> turns its profile's off (<paramref name="off"/>).
    /// Null with no error added means "off"; null with errors means the value was wrong.
    /// </summary>
    private RecoveryPolicy? ReadRecovery(YamlNode node, string path, bool onHost, out bool off)
    {
        off = false;
        if (onHost && node is YamlScalar { IsNull: false } scalar && scalar.Value is "false" or "False" or "FALSE" or "off")
        {
            off = true;
            return null;
        }
        var expected = onHost
            ? "a mapping with boot_timeout, probe, attempts, backoff and down_after, or false (no recovery for this host)"
            : "a mapping with boot_timeout, probe, attempts, backoff and down_after";
        var m = Mapping(node, path, expected, RecoveryKeys);
        if (m is null) return null;
        var before = _errors.Count;
        var timeout = m.TryGetValue("boot_timeout", out var bt) ? RecoveryDuration(bt, $"{path}.boot_timeout", MinBootTimeout) : RecoveryPolicy.DefaultBootTimeout;
        int? port = null;
        if (m.TryGetValue("probe", out var pn) && Scalar(pn, $"{path}.probe", "tcp:PORT or none") is { } probe)
        {
            const string Expected = "tcp:PORT, a TCP port that answers once the host is up, like tcp:22; or none: up means its kernel was fetched";
            if (probe.Value.StartsWith("tcp:", StringComparison.Ordinal)
                && int.TryParse(probe.Value.AsSpan(4), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p)
                && p is >= 1 and <= 65535)
                port = p;
            else if (probe.Value != "none")
                Error(probe, $"{path}.probe", $"'{probe.Value}' is not a probe (expected {Expected})");
        }
        var attempts = m.TryGetValue("attempts", out var an)
            ? Integer(an, $"{path}.attempts", "power cycles before the host is marked failed, 1 to 10", 1, 10)
            : RecoveryPolicy.DefaultAttempts;
        var backoff = m.TryGetValue("backoff", out var bo) ? RecoveryDuration(bo, $"{path}.backoff", TimeSpan.Zero) : RecoveryPolicy.DefaultBackoff;
        var downAfter = m.TryGetValue("down_after", out var da) ? RecoveryDuration(da, $"{path}.down_after", TimeSpan.FromSeconds(5)) : RecoveryPolicy.DefaultDownAfter;
        if (da is not null && port is null && _errors.Count == before)
            Error(da, $"{path}.down_after", "only a probe can tell that a host went down (expected probe: tcp:PORT with down_after, or no down_after)");
        if (_errors.Count != before || timeout is null || attempts is null || backoff is null || downAfter is null) return null;
        return new RecoveryPolicy(timeout.Value, port, attempts.Value, backoff.Value, downAfter.Value, node.Location);
    }

    private TimeSpan? RecoveryDuration(YamlNode node, string path, TimeSpan min)
    {
        var d = Duration(node, path);
        if (d is not { } value) return null;
        if (value >= min && value <= MaxRecoveryDuration) return value;
        Error(node, path, $"{Scalar(node, path, "a duration")?.Value} is outside {Describe(min)}..1d (expected a duration like 5m)");
        return null;
    }

    /// <summary>A host's own recovery needs power that can cycle it, and a probe when its profile boots from its disk.</summary>
    private void CheckRecovery(List<Located<HostEntry>> hosts, List<Located<BootProfile>> profiles, string defaultProfile)
    {
        foreach (var located in hosts)
        {
            var h = located.Value;
            if (h.Recovery is not { } policy) continue;
            var node = located.At("recovery");
            var path = $"hosts.{h.Name}.recovery";
            if (h.Power is null)
                Error(node, path, "the box can only recover a host it can power-cycle, and this host has no power: wiring (add power: { driver: ... }; docs/power.md)");
            else if (!RecoveryPolicy.CanCycle(h.Power.Driver))
                Error(node, path, $"power driver {HostPower.DriverName(h.Power.Driver)} cannot power-cycle a host, only wake it (expected a host wired by gpio, mcp23017, mcp23008, ipmi, redfish or qmp)");
            var profileName = h.Profile ?? defaultProfile;
            var profile = profiles.Select(p => p.Value).FirstOrDefault(p => p.Name == profileName);
            if (policy.ProbePort is null && profile?.Kind is ProfileKind.Local or ProfileKind.Sanboot)
                Error(node, path, $"profile {profileName} boots from the local disk and fetches no kernel from the box, so only a probe can tell the host booted (expected probe: tcp:PORT, like tcp:22)");
        }
    }

    private static string Describe(TimeSpan t) => t.TotalSeconds < 60 ? $"{t.TotalSeconds:0}s" : $"{t.TotalMinutes:0}m";
}
