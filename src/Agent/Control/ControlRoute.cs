using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace NetbootPi.Agent.Control;

/// <summary>Handles one control request from a caller already known to hold the route's role.</summary>
public delegate Task ControlHandler(HttpContext context, ControlCaller caller);

/// <summary>
/// One endpoint of the control API: its method and path, the least role that may call it, and whether it changes
/// anything (every change is audited: who, what, and how it ended). <see cref="HostOf"/>, for an endpoint that acts
/// on one host, says which (a token scoped to hosts may change only what concerns one of its own);
/// <see cref="NetworkOnly"/> marks the endpoints that make sense only over the network (login, logout, health).
/// </summary>
public sealed record ControlRoute(string Method, string Path, ControlRole Role, bool Changes, ControlHandler Handler)
{
    public Func<HttpContext, string?>? HostOf { get; init; }

    public bool NetworkOnly { get; init; }

    /// <summary>What it does, one sentence, for the OpenAPI document and docs/api.md (a route without one fails the tests).</summary>
    public string Summary { get; init; } = "";

    /// <summary>The query parameters it reads.</summary>
    public IReadOnlyList<ControlQuery> Query { get; init; } = [];

    /// <summary>The JSON body it reads, or null for none.</summary>
    public JsonTypeInfo? Body { get; init; }

    /// <summary>The media type of a body that is not JSON (the site file's YAML, an image upload's bytes), or null.</summary>
    public string? RawBody { get; init; }

    /// <summary>The JSON it answers with on success, or null for a refusal-shaped reply (<c>{"error": ...}</c> only).</summary>
    public JsonTypeInfo? Reply { get; init; }

    /// <summary>The media type of a reply that is not JSON (a JPEG, an MJPEG stream), or null.</summary>
    public string? RawReply { get; init; }
}
