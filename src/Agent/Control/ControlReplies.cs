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

/// <summary>GET /api/v1/endpoints: one route of the table the router matches requests against.</summary>
internal sealed record EndpointReply(string Method, string Path, string Role, bool Changes, string Over);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(StatusReply))]
[JsonSerializable(typeof(ReloadReply))]
[JsonSerializable(typeof(ErrorReply))]
[JsonSerializable(typeof(NetworkApplyReply))]
[JsonSerializable(typeof(NetworkConfirmReply))]
[JsonSerializable(typeof(NetworkReply))]
[JsonSerializable(typeof(EndpointReply[]))]
internal sealed partial class ControlJson : JsonSerializerContext;
