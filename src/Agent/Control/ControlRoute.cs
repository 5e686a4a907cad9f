using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace NetbootPi.Agent.Control;

/// <summary>Handles one control request from a caller already known to hold the route's role.</summary>
public delegate Task ControlHandler(HttpContext context, ControlCaller caller);

/// <summary>
/// Shows a browser why a page is refused (<paramref name="status"/> 401: no credentials or an ended session; 403: a
/// role short) in place of the API's JSON: a redirect to the login page, or a page that says why.
/// </summary>
public delegate Task ControlRefusal(HttpContext context, int status, string why);

/// <summary>
/// One endpoint of the control API: its method and path, the least role that may call it, and whether it changes
/// anything (every change is audited: who, what, and how it ended). <see cref="HostOf"/>, for an endpoint that acts
/// on one host, says which (a token scoped to hosts may change only what concerns one of its own);
/// <see cref="NetworkOnly"/> marks the endpoints that make sense only over the network (login, logout, health).
/// A path may hold <c>{name}</c> segments (Redfish's <c>/redfish/v1/Systems/{id}</c>): each matches one non-empty
/// segment, which the handler reads from <c>context.Request.RouteValues[name]</c> (unescaped).
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

    /// <summary>The media type of a reply that is not JSON (a web console page's HTML, a stylesheet, a JPEG, an MJPEG stream), or null.</summary>
    public string? ReplyMediaType { get; init; }

    /// <summary>
    /// How a refusal is answered when not as the API's <c>{"error": ...}</c>: a web console page's redirect or page
    /// (see <see cref="ControlRefusal"/>), a compatibility protocol's own error shape (Redfish's).
    /// </summary>
    public ControlRefusal? Refused { get; init; }

    /// <summary>The JSON shape of <see cref="Refused"/>'s answers when it is JSON, for the OpenAPI document.</summary>
    public JsonTypeInfo? RefusalReply { get; init; }

    /// <summary>The <c>WWW-Authenticate</c> challenge of a 401 over the network (default <c>Bearer</c>; Redfish's paths ask for Basic).</summary>
    public string Challenge { get; init; } = "Bearer";

    /// <summary>
    /// How a caller over the network proves who they are when not as the API's callers do: a compatibility protocol's
    /// own forms (kvmd's <c>X-KVMD-User</c> headers and <c>auth_token</c> cookie), with its own refusals. Null: a
    /// token, a session, or HTTP Basic, as every route.
    /// </summary>
    public ControlRouter.Authenticate? Credentials { get; init; }

    /// <summary>True for a web console page: it answers browsers with HTML, refusals included.</summary>
    public bool IsPage { get; init; }

    /// <summary>Whether the path holds <c>{name}</c> segments.</summary>
    public bool IsTemplate => Path.Contains('{', StringComparison.Ordinal);
}
