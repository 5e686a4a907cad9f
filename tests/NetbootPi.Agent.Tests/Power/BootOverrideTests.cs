using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Power;
using NetbootPi.Agent.Render.Boot;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tests.Site;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Tests.Power;

/// <summary>
/// One-time network boots (<c>pxe:</c> on a local-disk profile, <see cref="BootOverrides"/>): the site's checks with
/// their locations, what a host may boot once, the script it is served, and the override's life: set, kept across a
/// restart of the agent, used up by one script, gone after.
/// </summary>
public sealed class BootOverrideTests : IDisposable
{
    private static readonly BootRequest Lan = new("http://10.0.0.1", "10.0.0.1");
    private static readonly string Site = SiteText.Minimal.WithLine(11, "  p: { local: true, pxe: k }");

    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-next-boot-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 13, 0, 0, TimeSpan.Zero));

    [Fact]
    public void The_site_checks_pxe_where_it_is_written()
    {
        Assert.Empty(SiteText.Errors(Site));
        Assert.Equal(["t.yaml:11:26: profiles.p.pxe: unknown profile 'q' (defined: k)"],
            SiteText.Errors(SiteText.Minimal.WithLine(11, "  p: { local: true, pxe: q }")));
        Assert.Equal(["t.yaml:11:26: profiles.p.pxe: 'd' boots the local disk too (expected a profile that boots over the network: kernel, alpine, menu or sanboot)"],
            SiteText.Errors(SiteText.Minimal.WithLine(11, "  p: { local: true, pxe: d }\n  d: { local: true }")));
        Assert.Equal(["t.yaml:12:82: profiles.k.pxe: only a local profile takes pxe (this profile is kernel)"],
            SiteText.Errors(SiteText.Minimal.WithLine(12, "  k: { kernel: k/vmlinuz, initrd: k/initrd.img, nfsroot: \"/srv/nfs/{name}\", pxe: p }")));
        Assert.Equal(["t.yaml:11:26: profiles.p.pxe: 'K!' is not a valid profile name (expected a profile name like rescue)"],
            SiteText.Errors(SiteText.Minimal.WithLine(11, "  p: { local: true, pxe: K! }")));
    }

    [Fact]
    public void What_a_host_boots_once_follows_from_its_profile_and_its_root_is_exported_for_it()
    {
        var site = SiteText.Load(Site).Inventory!;
        var a = site.Resolve(MacAddress.Parse("00:00:00:00:00:01"));
        Assert.Equal("k", a.PxeProfile?.Name);
        // Its NFS root is ready before the one-time boot asks for it: exported for the host that may boot it.
        Assert.Equal(["/srv/nfs/a"], a.NfsRoots);
        // A host whose own profile boots over the network boots that once; a disk without pxe: has nothing.
        Assert.Equal("k", site.Resolve(MacAddress.Parse("00:00:00:00:00:02")).PxeProfile?.Name);
        var plain = SiteText.Load(SiteText.Minimal).Inventory!.Resolve(MacAddress.Parse("00:00:00:00:00:01"));
        Assert.Null(plain.PxeProfile);
        Assert.Empty(plain.NfsRoots);

        var disk = IpxeScript.Render(site, a, Lan);
        Assert.Contains("exit\n", disk, StringComparison.Ordinal);
        Assert.DoesNotContain("kernel", disk, StringComparison.Ordinal);
        var once = IpxeScript.Render(site, a, Lan, a.PxeProfile);
        Assert.Contains("# one-time network boot (next-boot pxe): profile k this time, then p again\n", once, StringComparison.Ordinal);
        Assert.Contains("kernel http://10.0.0.1/files/k/vmlinuz ", once, StringComparison.Ordinal);
        Assert.Contains("nfsroot=10.0.0.1:/srv/nfs/a,vers=3", once, StringComparison.Ordinal);
    }

    [Fact]
    public void An_override_is_kept_across_a_restart_used_by_one_script_and_gone_after()
    {
        var (state, events) = Start(Site);
        using var log = events;
        var a = state.Current.FindHost("a")!;
        var overrides = New(state, events);
        Assert.Null(overrides.Of("a"));
        var set = overrides.SetPxe(a, "user:olive");
        Assert.Equal(new NextBoot("a", "pxe", _time.GetUtcNow(), "user:olive"), set);

        // A new agent reads it back.
        var again = New(state, events);
        Assert.Equal(set, again.Of("a"));
        var binding = state.Current.Resolve(a.Mac);
        Assert.Equal("k", again.Take(binding)?.Name);
        Assert.Null(again.Of("a"));
        Assert.Null(again.Take(binding));
        Assert.Null(New(state, events).Of("a"));

        // Set and cleared; clearing nothing is false.
        again.SetPxe(a, "uid:0");
        Assert.True(again.Clear(a, "uid:0"));
        Assert.False(again.Clear(a, "uid:0"));
        Assert.Null(again.Take(binding));

        Assert.Equal([
                "user:olive next boot: network once, profile k",
                "next-boot next boot: network boot of profile k served once (set by user:olive)",
                "uid:0 next boot: network once, profile k",
                "uid:0 next boot: override cleared, its profile as the site says",
            ],
            events.Recent("a").Where(e => e.Kind == BootEventKind.Power).Select(e => $"{e.Client} {e.Path}"));
    }

    [Fact]
    public void A_host_with_nothing_to_boot_over_the_network_is_refused_with_what_to_add()
    {
        var (state, events) = Start(SiteText.Minimal);
        using var log = events;
        var e = Assert.Throws<BootOverrideException>(() => New(state, events).SetPxe(state.Current.FindHost("a")!, "uid:0"));
        Assert.Equal("host a boots its local disk (profile p) and that profile names no network boot (add pxe: PROFILE to profiles.p)", e.Message);
        Assert.False(File.Exists(Path.Combine(_dir, BootOverrides.FileName)));
    }

    [Fact]
    public void An_override_whose_host_lost_its_network_boot_is_dropped_with_an_event()
    {
        var (state, events) = Start(Site);
        using var log = events;
        var overrides = New(state, events);
        overrides.SetPxe(state.Current.FindHost("a")!, "uid:0");
        // The site changes under it: p has no pxe: any more.
        var changed = SiteText.Load(SiteText.Minimal + "\n" + Server).Inventory!;
        state.Replace(changed);
        Assert.Null(overrides.Take(changed.Resolve(MacAddress.Parse("00:00:00:00:00:01"))));
        var last = events.Recent("a")[^1];
        Assert.Equal((1, "next boot: override dropped unused, host a boots its local disk (profile p) and that profile names no network boot (add pxe: PROFILE to profiles.p) (set by uid:0)"),
            (last.Status, last.Path));
    }

    [Fact]
    public void A_damaged_file_costs_its_overrides_not_the_start()
    {
        var (state, events) = Start(Site);
        using var log = events;
        File.WriteAllText(Path.Combine(_dir, BootOverrides.FileName), "{\"hosts\": [ {\"host\": ");
        var overrides = New(state, events);
        Assert.Null(overrides.Of("a"));
        overrides.SetPxe(state.Current.FindHost("a")!, "uid:0");
        Assert.Equal("pxe", New(state, events).Of("a")?.Target);
    }

    private string Server => $"server: {{ state_dir: {_dir} }}\n";

    private (SiteState, BootEventLog) Start(string text)
    {
        var loaded = SiteText.Load(text + "\n" + Server);
        Assert.True(loaded.Inventory is not null, string.Join('\n', loaded.Errors));
        return (new SiteState(Path.Combine(_dir, "site.yaml"), loaded.Inventory!), new BootEventLog(_dir, NullLogger<BootEventLog>.Instance));
    }

    private BootOverrides New(SiteState state, BootEventLog events) =>
        new(state, events, AtomicFiles.Local, _time, NullLogger<BootOverrides>.Instance);

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
