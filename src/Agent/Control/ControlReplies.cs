using System.Text.Json.Serialization;

namespace NetbootPi.Agent.Control;

// The control API's bodies. The CLI reads the same types, so what one side writes the other can read; names are
// snake_case on the wire, like the site file's keys.

/// <summary>GET /api/v1/status.</summary>
internal sealed record StatusReply(
    string Version, string Site, string SitePath, DateTimeOffset Started, long UptimeSeconds, string Status,
    int Networks, int Hosts, int Profiles);

/// <summary>One problem in a site file, located.</summary>
internal sealed record SiteErrorReply(string File, int Line, int Column, string Key, string Message, string Text);

/// <summary>POST /api/v1/site/reload: the site now running, and the new file's errors when it was refused.</summary>
internal sealed record ReloadReply(bool Reloaded, string Site, string SitePath, int Networks, int Hosts, SiteErrorReply[] Errors);

/// <summary>Any refusal: what went wrong, as a sentence.</summary>
internal sealed record ErrorReply(string Error);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(StatusReply))]
[JsonSerializable(typeof(ReloadReply))]
[JsonSerializable(typeof(ErrorReply))]
internal sealed partial class ControlJson : JsonSerializerContext;
