using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Tests.Site;

/// <summary>
/// <c>recovery:</c> on profiles and hosts: defaults, a host's own policy or <c>false</c>, which hosts a profile's
/// policy covers, and each rule's located message. Profile k is line 12 of <see cref="SiteText.Minimal"/>, hosts a
/// and b lines 15 and 16.
/// </summary>
public class RecoverySectionTests
{
    private const string Qmp = "power: { driver: qmp, socket: a.qmp }";

    private static string ProfileK(string recovery) =>
        SiteText.Minimal.WithLine(12, $"  k: {{ kernel: k/vmlinuz, initrd: k/initrd.img, recovery: {recovery} }}");

    private static string HostA(string rest) => SiteText.Minimal.WithLine(15, $"  a: {{ mac: 00:00:00:00:00:01, ip: 10.0.0.10, {rest} }}");

    private static SiteInventory Site(string text)
    {
        var result = SiteText.Load(text);
        Assert.Empty(result.Errors);
        return result.Inventory!;
    }

    [Fact]
    public void A_profile_s_policy_with_its_defaults_covers_its_hosts_that_can_be_cycled()
    {
        var text = ProfileK("{ probe: tcp:22 }")
            .WithLine(16, $"  b: {{ mac: 00:00:00:00:00:02, ip: 10.0.0.11, profile: k, {Qmp} }}") + $$"""

              c: { mac: 00:00:00:00:00:03, ip: 10.0.0.12, profile: k }
              d: { mac: 00:00:00:00:00:04, ip: 10.0.0.13, profile: k, power: { driver: wol } }
              e: { mac: 00:00:00:00:00:05, ip: 10.0.0.14, profile: k, power: { driver: qmp, socket: e.qmp }, recovery: false }
            """;
        var site = Site(text);
        var policy = site.RecoveryFor(site.FindHost("b")!);
        Assert.NotNull(policy);
        Assert.Equal((TimeSpan.FromMinutes(5), 22, 3, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2)),
            (policy.BootTimeout, policy.ProbePort, policy.Attempts, policy.Backoff, policy.DownAfter));
        Assert.Equal("tcp:22", policy.ProbeText);
        // c has no wiring, d can only be woken: covered by the profile's policy, but it cannot work, and they say why.
        Assert.Null(site.RecoveryFor(site.FindHost("c")!));
        Assert.Equal("no power: wiring", site.RecoveryGap(site.FindHost("c")!));
        Assert.Null(site.RecoveryFor(site.FindHost("d")!));
        Assert.Equal("power driver wol cannot power-cycle it", site.RecoveryGap(site.FindHost("d")!));
        // e opted out; a (profile p, no recovery) is not covered at all.
        Assert.Null(site.RecoveryFor(site.FindHost("e")!));
        Assert.Null(site.RecoveryGap(site.FindHost("e")!));
        Assert.Null(site.RecoveryFor(site.FindHost("a")!));
    }

    [Fact]
    public void A_host_s_own_policy_replaces_its_profile_s()
    {
        var site = Site(ProfileK("{ probe: tcp:22 }").WithLine(16,
            $"  b: {{ mac: 00:00:00:00:00:02, ip: 10.0.0.11, profile: k, {Qmp}, recovery: {{ boot_timeout: 90s, attempts: 1, backoff: 0s }} }}"));
        var policy = site.RecoveryFor(site.FindHost("b")!)!;
        Assert.Equal((TimeSpan.FromSeconds(90), (int?)null, 1, TimeSpan.Zero), (policy.BootTimeout, policy.ProbePort, policy.Attempts, policy.Backoff));
        Assert.Equal("none", policy.ProbeText);
    }

    [Fact]
    public void The_back_off_doubles_from_the_second_cycle()
    {
        var policy = new RecoveryPolicy(TimeSpan.FromMinutes(5), 22, 4, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), default);
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(4)],
            Enumerable.Range(1, 4).Select(policy.BackoffBefore));
    }

    [Fact]
    public void Wrong_values_are_located()
    {
        Assert.Equal(["t.yaml:12:68: profiles.k.recovery.probe: 'ssh' is not a probe (expected tcp:PORT, a TCP port that answers once the host is up, like tcp:22; or none: up means its kernel was fetched)"],
            SiteText.Errors(ProfileK("{ probe: ssh }")));
        Assert.Equal(["t.yaml:12:68: profiles.k.recovery.probe: 'tcp:70000' is not a probe (expected tcp:PORT, a TCP port that answers once the host is up, like tcp:22; or none: up means its kernel was fetched)"],
            SiteText.Errors(ProfileK("{ probe: tcp:70000 }")));
        Assert.Equal(["t.yaml:12:75: profiles.k.recovery.boot_timeout: 5s is outside 10s..1d (expected a duration like 5m)"],
            SiteText.Errors(ProfileK("{ boot_timeout: 5s }")));
        Assert.Equal(["t.yaml:12:71: profiles.k.recovery.attempts: 0 is outside 1..10 (expected power cycles before the host is marked failed, 1 to 10)"],
            SiteText.Errors(ProfileK("{ attempts: 0 }")));
        Assert.Equal(["t.yaml:12:73: profiles.k.recovery.down_after: only a probe can tell that a host went down (expected probe: tcp:PORT with down_after, or no down_after)"],
            SiteText.Errors(ProfileK("{ down_after: 1m }")));
        Assert.Equal(["t.yaml:12:61: profiles.k.recovery.probes: unknown key (did you mean 'probe'?)"],
            SiteText.Errors(ProfileK("{ probes: 3 }")));
    }

    [Fact]
    public void A_local_disk_profile_needs_a_probe()
    {
        Assert.Equal(["t.yaml:11:31: profiles.p.recovery: a local-disk profile fetches no kernel from the box, so only a probe can tell it booted (expected probe: tcp:PORT, like tcp:22)"],
            SiteText.Errors(SiteText.Minimal.WithLine(11, "  p: { local: true, recovery: { attempts: 2 } }")));
        Assert.Equal(["t.yaml:15:96: hosts.a.recovery: profile p boots from the local disk and fetches no kernel from the box, so only a probe can tell the host booted (expected probe: tcp:PORT, like tcp:22)"],
            SiteText.Errors(HostA($"{Qmp}, recovery: {{ attempts: 2 }}")));
        Assert.Empty(SiteText.Errors(HostA($"{Qmp}, recovery: {{ probe: tcp:22 }}")));
    }

    [Fact]
    public void A_host_s_own_policy_needs_power_that_can_cycle_it()
    {
        Assert.Equal(["t.yaml:15:57: hosts.a.recovery: the box can only recover a host it can power-cycle, and this host has no power: wiring (add power: { driver: ... }; docs/power.md)"],
            SiteText.Errors(HostA("recovery: { probe: tcp:22 }")));
        Assert.Equal(["t.yaml:15:81: hosts.a.recovery: power driver wol cannot power-cycle a host, only wake it (expected a host wired by gpio, mcp23017, mcp23008, ipmi, redfish or qmp)"],
            SiteText.Errors(HostA("power: { driver: wol }, recovery: { probe: tcp:22 }")));
        Assert.Equal(["t.yaml:15:57: hosts.a.recovery: expected a mapping with boot_timeout, probe, attempts, backoff and down_after, or false (no recovery for this host), found 'yes'"],
            SiteText.Errors(HostA("recovery: yes")));
    }
}
