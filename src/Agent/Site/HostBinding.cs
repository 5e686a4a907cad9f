using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Site;

/// <summary>
/// What follows from one MAC: its host entry (if any), network, address, name, profile and the URLs and paths
/// the boot services use. Derived on demand from the snapshot; never configured separately.
/// </summary>
public sealed class HostBinding
{
    private readonly SiteInventory _site;

    internal HostBinding(SiteInventory site, MacAddress mac, HostEntry? host, NetworkConfig? network,
        string profileName, bool profileFromDefaults, BootProfile? profile)
    {
        _site = site;
        Mac = mac;
        Host = host;
        Network = network;
        ProfileName = profileName;
        ProfileFromDefaults = profileFromDefaults;
        Profile = profile;
    }

    public MacAddress Mac { get; }

    /// <summary>The site file's entry, or null for a machine the site does not know.</summary>
    public HostEntry? Host { get; }

    public bool IsKnown => Host is not null;

    /// <summary>The network the machine belongs to, or null when it has no static address and was not seen.</summary>
    public NetworkConfig? Network { get; }

    /// <summary>The static address, or null when the address comes from the pool.</summary>
    public Ipv4Address? StaticAddress => Host?.Ip;

    public string? Fqdn => Host is null ? null : _site.Site.Domain is { } d ? $"{Host.Name}.{d}" : Host.Name;

    public string ProfileName { get; }
    public bool ProfileFromDefaults { get; }

    /// <summary>The boot profile, or null for profile <c>none</c>: an address but no boot offer.</summary>
    public BootProfile? Profile { get; }

    public bool GetsBootOffer => Profile is not null;

    /// <summary>
    /// The base URL of the box's HTTP service as seen from this machine's network; null when the machine has no
    /// network, or a relayed one (whose box address is the one its relay forwards to, known only per request).
    /// </summary>
    public string? BoxUrl => Network?.BoxAddress is { } box ? BootUrls.Base(box, _site.Server.HttpPort) : null;

    /// <summary>The iPXE script this machine is sent to by DHCP.</summary>
    public string? BootScriptUrl => GetsBootOffer && BoxUrl is { } b ? BootUrls.Script(b, Mac) : null;

    /// <summary>The Alpine apkovl overlay URL; only Alpine profiles (or menus offering one) use overlays.</summary>
    public string? OverlayUrl => UsesOverlay && BoxUrl is { } b ? BootUrls.Overlay(b, Mac) : null;

    public bool UsesOverlay => BootsKind(ProfileKind.Alpine);

    /// <summary>The NFS root directories this machine may mount (one per NFS-root profile it can boot).</summary>
    public IReadOnlyList<string> NfsRoots =>
        BootableProfiles().Where(p => p.NfsRoot is not null).Select(p => ExpandPlaceholders(p.NfsRoot!)).Distinct().ToList();

    /// <summary>Replaces <c>{mac}</c> (as 84-8f-69-e0-d4-0f) and <c>{name}</c> (the host name, or the MAC for unknown machines).</summary>
    public string ExpandPlaceholders(string template) => template
        .Replace("{mac}", Mac.ToString(MacFormat.Hyphen), StringComparison.Ordinal)
        .Replace("{name}", Host?.Name ?? Mac.ToString(MacFormat.Hyphen), StringComparison.Ordinal);

    /// <summary>Whether this machine boots <paramref name="profile"/>: its profile, or an item of its menu.</summary>
    public bool Boots(BootProfile profile) => BootableProfiles().Contains(profile);

    private bool BootsKind(ProfileKind kind) => BootableProfiles().Any(p => p.Kind == kind);

    /// <summary>
    /// The profile a one-time network boot serves this machine (<c>netbootpi next-boot HOST pxe</c>, Redfish's Boot
    /// override to Pxe): its own profile when that boots over the network, its local-disk profile's <c>pxe:</c>
    /// target, or null when it has none (profile none, or a local disk without <c>pxe:</c>).
    /// </summary>
    public BootProfile? PxeProfile => Profile switch
    {
        null => null,
        { Kind: ProfileKind.Local, Pxe: { } pxe } => _site.FindProfile(pxe),
        { Kind: ProfileKind.Local } => null,
        var own => own,
    };

    /// <summary>Its profile (or its menu's items), and what a one-time network boot would serve it: exports and overlays are ready for both.</summary>
    private IEnumerable<BootProfile> BootableProfiles()
    {
        if (Profile is null) yield break;
        var profile = Profile.Kind == ProfileKind.Local && PxeProfile is { } pxe ? pxe : Profile;
        if (profile != Profile) yield return Profile;
        if (profile.Kind != ProfileKind.Menu)
        {
            yield return profile;
            yield break;
        }
        foreach (var item in profile.MenuItems)
            if (_site.FindProfile(item) is { } p) yield return p;
    }
}
