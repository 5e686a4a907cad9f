using System.Collections.Frozen;
using System.Collections.Immutable;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Site;

/// <summary>
/// The validated site: one immutable snapshot that DHCP, TFTP, HTTP and every renderer read.
/// Given a MAC, <see cref="Resolve"/> derives everything else.
/// </summary>
public sealed class SiteInventory
{
    /// <summary>The profile name meaning "an address, but no boot offer".</summary>
    public const string NoProfile = "none";

    private readonly FrozenDictionary<MacAddress, HostEntry> _byMac;
    private readonly FrozenDictionary<string, HostEntry> _byName;
    private readonly FrozenDictionary<string, HostEntry> _bySerial;
    private readonly FrozenDictionary<string, BootProfile> _profiles;

    internal SiteInventory(SiteSettings site, ServerSettings server, ImmutableArray<NetworkConfig> networks,
        ImmutableArray<BootProfile> profiles, string defaultProfile, ImmutableArray<HostEntry> hosts,
        FirewallSettings? firewall = null, WireGuardSettings? wireGuard = null, DnsSettings? dns = null)
    {
        WireGuard = wireGuard;
        Dns = dns;
        Firewall = firewall ?? FirewallSettings.Default;
        Site = site;
        Server = server;
        Networks = networks;
        Profiles = profiles;
        DefaultProfile = defaultProfile;
        Hosts = hosts;
        _byMac = hosts.ToFrozenDictionary(h => h.Mac);
        _byName = hosts.ToFrozenDictionary(h => h.Name, StringComparer.OrdinalIgnoreCase);
        _bySerial = hosts.Where(h => h.PiSerial is not null).ToFrozenDictionary(h => h.PiSerial!, StringComparer.Ordinal);
        _profiles = profiles.ToFrozenDictionary(p => p.Name, StringComparer.Ordinal);
    }

    public SiteSettings Site { get; }
    public ServerSettings Server { get; }
    public ImmutableArray<NetworkConfig> Networks { get; }

    /// <summary>The network the operators reach the box on; null only when the site leaves the network alone and names none.</summary>
    public NetworkConfig? Management => Networks.FirstOrDefault(n => n.Role == NetworkRole.Management);

    /// <summary>The <c>firewall:</c> section (every default when the file has none).</summary>
    public FirewallSettings Firewall { get; }

    /// <summary>The <c>wireguard:</c> section; null when the site has no tunnel.</summary>
    public WireGuardSettings? WireGuard { get; }

    /// <summary>The <c>kvm:</c> section: the console host the box is a USB drive, keyboard and pointer to; null when the file has none.</summary>
    public KvmSettings? Kvm { get; init; }

    /// <summary>The <c>dns:</c> section; null when the file has none, and then the box answers no DNS.</summary>
    public DnsSettings? Dns { get; }

    /// <summary>The <c>media:</c> section: the image catalog's limits (every default when the file has none).</summary>
    public MediaSettings Media { get; init; } = MediaSettings.Default;

    /// <summary>The <c>backup:</c> section (null: none; <c>backup create</c> then needs <c>--unencrypted</c>).</summary>
    public BackupSettings? Backup { get; init; }

    public ImmutableArray<BootProfile> Profiles { get; }

    /// <summary>The <c>alerts.webhooks</c>, in file order; empty when the file has none (alerts are then boot events only).</summary>
    public ImmutableArray<WebhookSettings> Webhooks { get; init; } = [];

    /// <summary>The profile for MACs not in <see cref="Hosts"/> (and hosts without one); may be <see cref="NoProfile"/>.</summary>
    public string DefaultProfile { get; }

    public ImmutableArray<HostEntry> Hosts { get; }

    public HostEntry? FindHost(MacAddress mac) => _byMac.GetValueOrDefault(mac);

    public HostEntry? FindHost(string name) => _byName.GetValueOrDefault(name);

    /// <summary>For a message about a host name the site lacks: <c> (did you mean 'NAME'?)</c> with the closest one, or nothing.</summary>
    public string HostHint(string name) => SiteReader.Suggest(name, Hosts.Select(h => h.Name).ToArray()) is { } best ? $" (did you mean '{best}'?)" : "";

    public HostEntry? FindHostBySerial(string piSerial) => _bySerial.GetValueOrDefault(piSerial.ToLowerInvariant());

    public BootProfile? FindProfile(string name) => _profiles.GetValueOrDefault(name);

    public NetworkConfig? FindNetwork(string name) => Networks.FirstOrDefault(n => n.Name == name);

    /// <summary>The network whose subnet holds <paramref name="address"/>.</summary>
    public NetworkConfig? NetworkContaining(Ipv4Address address) =>
        Networks.FirstOrDefault(n => n.Subnet.Contains(address));

    /// <summary>
    /// How the box recovers <paramref name="host"/>: its own <c>recovery:</c>, else its profile's, unless it says
    /// <c>recovery: false</c>. Null also for a host whose power cannot cycle it (none, or Wake-on-LAN): a profile's
    /// policy covers the hosts that can be recovered; <see cref="RecoveryGap"/> says why one cannot.
    /// </summary>
    public RecoveryPolicy? RecoveryFor(HostEntry host)
    {
        var policy = WantedRecovery(host);
        return policy is not null && host.Power is { } power && RecoveryPolicy.CanCycle(power.Driver) ? policy : null;
    }

    /// <summary>Why a host whose profile asks for recovery cannot have it; null when it can, or nothing asks.</summary>
    public string? RecoveryGap(HostEntry host) => WantedRecovery(host) is null ? null : host.Power switch
    {
        null => "no power: wiring",
        { Driver: var d } when !RecoveryPolicy.CanCycle(d) => $"power driver {HostPower.DriverName(d)} cannot power-cycle it",
        _ => null,
    };

    private RecoveryPolicy? WantedRecovery(HostEntry host)
    {
        if (host.RecoveryOff) return null;
        if (host.Recovery is { } own) return own;
        var name = host.Profile ?? DefaultProfile;
        return name == NoProfile ? null : FindProfile(name)?.Recovery;
    }

    /// <summary>
    /// The DNS servers hosts on <paramref name="network"/> use: its <c>dhcp.dns</c> when the site names them, else the box
    /// where it answers DNS on that network, else none. DHCP's option 6 and the install files say the same.
    /// </summary>
    public ImmutableArray<Ipv4Address> DnsServersFor(NetworkConfig network) => network.Dhcp.Dns.Length > 0 ? network.Dhcp.Dns
        : Dns?.ListensOn(network) == true && network.BoxAddress is { } box ? [box] : [];

    /// <summary>
    /// Everything the site says about <paramref name="mac"/>. A host with a static address belongs to that
    /// address's network; otherwise the network is the one the machine is seen on, which only the caller
    /// knows (the interface a DHCP request arrived on): pass it as <paramref name="seenOn"/>.
    /// </summary>
    public HostBinding Resolve(MacAddress mac, NetworkConfig? seenOn = null)
    {
        var host = FindHost(mac);
        var network = host?.Ip is { } ip ? NetworkContaining(ip) : seenOn;
        var profileName = host?.Profile ?? DefaultProfile;
        var profile = profileName == NoProfile ? null : FindProfile(profileName);
        return new HostBinding(this, mac, host, network, profileName, host?.Profile is null, profile);
    }
}
