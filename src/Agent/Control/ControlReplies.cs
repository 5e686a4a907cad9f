using System.Text.Json.Serialization;

namespace NetbootPi.Agent.Control;

// The control API's bodies. The CLI reads the same types, so what one side writes the other can read; names are
// snake_case on the wire, like the site file's keys.

/// <summary>GET /api/v1/status.</summary>
internal sealed record StatusReply(
    string Version, string Site, string SitePath, DateTimeOffset Started, long UptimeSeconds, string Status,
    int Networks, int Hosts, int Profiles, ApiReply? Api);

/// <summary>Where the control API answers over the network, and its certificate's SHA-256 fingerprint to check it by.</summary>
internal sealed record ApiReply(string Url, string CertificateSha256);

/// <summary>One problem in a site file, located.</summary>
internal sealed record SiteErrorReply(string File, int Line, int Column, string Key, string Message, string Text);

/// <summary>POST /api/v1/site/reload: the site now running, and the new file's errors when it was refused.</summary>
internal sealed record ReloadReply(bool Reloaded, string Site, string SitePath, int Networks, int Hosts, SiteErrorReply[] Errors);

/// <summary>GET /api/v1/site: the file, its SHA-256, the site running and when it was loaded, the file a PUT replaced last (null when none).</summary>
internal sealed record SiteReply(string Path, string Sha256, string Text, string Running, DateTimeOffset Loaded, string? Previous);

/// <summary>POST /api/v1/site/validate: whether the text would be taken, its errors, and the network plan when the agent manages the network.</summary>
internal sealed record SiteValidateReply(bool Valid, string? Site, int Networks, int Hosts, SiteErrorReply[] Errors, string? NetworkPlan);

/// <summary>One thing a site text changes against the running site: a host, network or profile added, removed or changed, or the exports.</summary>
internal sealed record SiteChangeReply(string Kind, string Name, string Change, string[] Details);

/// <summary>
/// POST /api/v1/site/diff: what a PUT of the text would do, nothing changed: the file on disk it would replace (its
/// SHA-256), the text's unified diff against it, what changes against the running site, and the network plan.
/// </summary>
internal sealed record SiteDiffReply(bool Valid, string SitePath, string? Sha256, string Diff, SiteChangeReply[] Changes, bool NetworkChange,
    string? NetworkPlan, SiteErrorReply[] Errors);

/// <summary>
/// PUT /api/v1/site and POST /api/v1/site/rollback: how it ended (applied, unchanged, invalid, stale, no_previous,
/// failed), a sentence, the site now running and the file's SHA-256 for the next edit.
/// </summary>
internal sealed record SiteApplyReply(string Outcome, bool Applied, string Message, string Site, string SitePath, string? Sha256,
    int Networks, int Hosts, SiteErrorReply[] Errors);

/// <summary>
/// A DHCP lease, with the host its MAC belongs to (null: a machine the site does not know), the name the client sent,
/// and what the box's DNS does with that name (its name in the zone, or why not).
/// </summary>
internal sealed record LeaseReply(string Address, string Mac, string? Host, string State, DateTimeOffset Expires, string? ClientName, string? Dns);

/// <summary>One boot event of a host, as GET /api/v1/hosts quotes its last ones.</summary>
internal sealed record HostEventReply(DateTimeOffset Time, string What, string Path, int Status);

/// <summary>
/// GET /api/v1/hosts: one host and what follows from its MAC; its lease, recovery's phase (null when recovery does
/// not watch it), its last boot event and its last power action.
/// </summary>
internal sealed record HostReply(string Name, string Mac, string? Fqdn, string DefinedAt, string? Network, string? Ip, string Profile,
    string? BootScript, string? Overlay, string[] NfsRoots, string? Power, string? Console, LeaseReply? Lease, string? Recovery,
    HostEventReply? LastBoot, HostEventReply? LastPower);

/// <summary>GET /api/v1/hosts/derived: the host's name (null for a machine the site does not list), its MAC, what the site derives for it.</summary>
internal sealed record HostDerivedReply(string? Host, string Mac, NetbootPi.Agent.Reports.HostReportRow[] Rows);

/// <summary>One stored overlay version of a host.</summary>
internal sealed record OverlayVersionReply(int Number, long Size, DateTimeOffset Stored);

/// <summary>GET /api/v1/overlays and POST /api/v1/overlays/rollback: the host's versions, oldest first (the last is served).</summary>
internal sealed record OverlayListReply(string Host, string Mac, string Message, OverlayVersionReply[] Versions);

/// <summary>Any refusal: what went wrong, as a sentence.</summary>
internal sealed record ErrorReply(string Error);

/// <summary>POST /api/v1/network/apply: how it ended (confirmed, pending, unchanged, refused, not_retried, failed), why, the plan carried out.</summary>
internal sealed record NetworkApplyReply(string Result, string Message, string Plan, DateTimeOffset? Deadline);

/// <summary>POST /api/v1/network/confirm.</summary>
internal sealed record NetworkConfirmReply(bool Confirmed, string Message);

/// <summary>One of the box's networks as the site wants it and as the kernel (and networkd or netctl) has it.</summary>
internal sealed record NetworkLinkReply(string Network, string Role, string Interface, string Wanted, string[] Addresses, string State);

/// <summary>GET /api/v1/network.</summary>
internal sealed record NetworkReply(string Backend, bool Managed, string? Pending, DateTimeOffset? Deadline, NetworkLinkReply[] Links);

/// <summary>
/// GET /api/v1/endpoints: one route of the table the router matches requests against; <c>page</c> for the web
/// console's pages (HTML; without credentials a redirect to the login page rather than 401).
/// </summary>
internal sealed record EndpointReply(string Method, string Path, string Role, bool Changes, string Over, bool Page);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(StatusReply))]
[JsonSerializable(typeof(ReloadReply))]
[JsonSerializable(typeof(ErrorReply))]
[JsonSerializable(typeof(SiteReply))]
[JsonSerializable(typeof(SiteValidateReply))]
[JsonSerializable(typeof(SiteDiffReply))]
[JsonSerializable(typeof(SiteApplyReply))]
[JsonSerializable(typeof(NetworkApplyReply))]
[JsonSerializable(typeof(NetworkConfirmReply))]
[JsonSerializable(typeof(NetworkReply))]
[JsonSerializable(typeof(EndpointReply[]))]
[JsonSerializable(typeof(HostReply[]))]
[JsonSerializable(typeof(HostDerivedReply))]
[JsonSerializable(typeof(OverlayListReply))]
[JsonSerializable(typeof(LeaseReply[]))]
[JsonSerializable(typeof(System.Text.Json.JsonElement[]))]
internal sealed partial class ControlJson : JsonSerializerContext;
