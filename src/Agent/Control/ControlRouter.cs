using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Events;

namespace NetbootPi.Agent.Control;

/// <summary>
/// The control API's route table and the one path every request takes through it, on the socket and over the
/// network alike: find the route (404, 405 with <c>Allow:</c>), learn the caller (the transport's part), check the
/// route's role and a scoped token's hosts, log a change before and after it runs. Every change asked for by a known
/// caller, refused or done, is also an <c>audit</c> boot event (who, from where, what, the status it ended with), so
/// it can be queried (<c>GET /api/v1/events?kind=audit</c>, <c>netbootpi events --kind audit</c>). The table is also
/// served (<c>GET /api/v1/endpoints</c>), so what is listed is what is matched.
/// </summary>
public sealed partial class ControlRouter
{
    public const string EndpointsPath = "/api/v1/endpoints";
    public const string OpenApiPath = "/api/v1/openapi.json";

    /// <summary>
    /// Learns who calls <paramref name="route"/>: the caller, or null after writing the refusal (401, 403) itself.
    /// </summary>
    public delegate ValueTask<ControlCaller?> Authenticate(HttpContext context, ControlRoute route);

    private readonly Dictionary<string, List<ControlRoute>> _byPath = new(StringComparer.Ordinal);
    // The paths with {name} segments, split: matched segment by segment after the exact paths.
    private readonly List<(string[] Segments, List<ControlRoute> Routes)> _templates = [];
    private readonly ILogger<ControlRouter> _logger;
    private readonly string _version;
    private readonly BootEventLog? _audit;
    private readonly TimeProvider _time;

    public ControlRouter(IEnumerable<IControlEndpoints> endpoints, ILogger<ControlRouter> logger, string version = "",
        BootEventLog? audit = null, TimeProvider? time = null)
    {
        _logger = logger;
        _version = version;
        _audit = audit;
        _time = time ?? TimeProvider.System;
        ControlRoute[] own =
        [
            new("GET", EndpointsPath, ControlRole.Viewer, false, ListAsync)
            {
                Summary = "The route table the router matches requests against: method, path, role, whether it changes anything, where it is served.",
                Reply = ControlJson.Default.EndpointReplyArray,
            },
            new("GET", OpenApiPath, ControlRole.Viewer, false, OpenApiAsync)
            {
                Summary = "This API's OpenAPI 3.1 document, written from the same route table.",
            },
        ];
        foreach (var route in endpoints.SelectMany(e => e.Routes).Concat(own))
        {
            if (!_byPath.TryGetValue(route.Path, out var list))
            {
                _byPath[route.Path] = list = [];
                if (route.IsTemplate) _templates.Add((route.Path.Split('/'), list));
            }
            if (list.Any(r => r.Method == route.Method))
                throw new InvalidOperationException($"two control endpoints for {route.Method} {route.Path}");
            list.Add(route);
        }
    }

    /// <summary>
    /// The routes of <paramref name="path"/>: its own, or a template's whose literal segments it has (its values set
    /// in the request's route values); a trailing slash is ignored (Redfish clients ask for <c>/redfish/v1/</c>).
    /// </summary>
    private List<ControlRoute>? Match(HttpContext context, string path)
    {
        if (_byPath.TryGetValue(path, out var exact) && !exact[0].IsTemplate) return exact;
        if (path.Length > 1 && path.EndsWith('/') && _byPath.TryGetValue(path[..^1], out var trimmed) && !trimmed[0].IsTemplate) return trimmed;
        var segments = path.TrimEnd('/').Split('/');
        foreach (var (template, routes) in _templates)
        {
            if (template.Length != segments.Length) continue;
            var matches = true;
            for (var i = 0; i < template.Length && matches; i++)
                matches = template[i].StartsWith('{') ? segments[i].Length > 0 : string.Equals(template[i], segments[i], StringComparison.Ordinal);
            if (!matches) continue;
            for (var i = 0; i < template.Length; i++)
                if (template[i].StartsWith('{')) context.Request.RouteValues[template[i][1..^1]] = Uri.UnescapeDataString(segments[i]);
            return routes;
        }
        return null;
    }

    /// <summary>Every route, in path order.</summary>
    public IEnumerable<ControlRoute> Routes => _byPath.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => p.Value);

    /// <param name="network">True over the network: the routes for it alone are matched too.</param>
    public async Task DispatchAsync(HttpContext context, bool network, Authenticate authenticate)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        var routes = Match(context, path) is { } all ? all.Where(r => network || !r.NetworkOnly).ToList() : [];
        if (routes.Count == 0)
        {
            await ReplyAsync(context, StatusCodes.Status404NotFound, $"no such endpoint: {path}").ConfigureAwait(false);
            return;
        }
        if (routes.FirstOrDefault(r => r.Method == request.Method) is not { } route)
        {
            context.Response.Headers.Allow = string.Join(", ", routes.Select(r => r.Method));
            await RefuseAsync(context, routes[0], StatusCodes.Status405MethodNotAllowed,
                $"{path} takes {string.Join(" or ", routes.Select(r => r.Method))}, not {request.Method}").ConfigureAwait(false);
            return;
        }
        if (await authenticate(context, route).ConfigureAwait(false) is not { } caller) return;
        if (caller.Role < route.Role)
        {
            LogRefused(caller.Name, caller.Detail, route.Method, path, Name(caller.Role));
            Audit(caller, route, context, StatusCodes.Status403Forbidden);
            await RefuseAsync(context, route, StatusCodes.Status403Forbidden,
                $"{route.Method} {path} needs the {Name(route.Role)} role; {caller} has the {Name(caller.Role)} role").ConfigureAwait(false);
            return;
        }
        if (ScopeRefusal(caller, route, context) is { } scope)
        {
            LogRefused(caller.Name, caller.Detail, route.Method, path, "out of its hosts");
            Audit(caller, route, context, StatusCodes.Status403Forbidden);
            await RefuseAsync(context, route, StatusCodes.Status403Forbidden, scope).ConfigureAwait(false);
            return;
        }
        if (route.Changes) LogChange(caller.Name, caller.Detail, Name(caller.Role), route.Method, path);
        try
        {
            await route.Handler(context, caller).ConfigureAwait(false);
            if (route.Changes)
            {
                LogChanged(caller.Name, route.Method, path, context.Response.StatusCode);
                Audit(caller, route, context, context.Response.StatusCode);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(e, caller.Name, route.Method, path);
            if (route.Changes) Audit(caller, route, context, StatusCodes.Status500InternalServerError);
            if (!context.Response.HasStarted)
                // The journal has the exception; the reply does not (over the network it could tell internals to anyone with a role).
                await RefuseAsync(context, route, StatusCodes.Status500InternalServerError,
                    $"internal error in {route.Method} {path}: the agent's journal has what went wrong (journalctl -u netbootpi)").ConfigureAwait(false);
        }
    }

    /// <summary>A refusal as the route answers it: the API's <c>{"error": ...}</c>, or a web page's own (<see cref="ControlRoute.Refused"/>).</summary>
    public static Task RefuseAsync(HttpContext context, ControlRoute route, int status, string why) =>
        route.Refused is { } page ? page(context, status, why) : ReplyAsync(context, status, why);

    /// <summary>
    /// Runs the GET route at <paramref name="path"/> for <paramref name="caller"/> inside the agent, as a request would
    /// (same handler, same role check; nothing is audited, as a GET changes nothing), and returns its status and body:
    /// the web console's pages show what the API answers, not a second copy of how it is worked out.
    /// </summary>
    public async Task<(int Status, byte[] Body)> InvokeAsync(HttpContext outer, string path, string query, ControlCaller caller)
    {
        if (!_byPath.TryGetValue(path, out var routes) || routes.FirstOrDefault(r => r.Method == "GET" && !r.IsPage) is not { } route)
            return (StatusCodes.Status404NotFound, System.Text.Encoding.UTF8.GetBytes($"{{\"error\":\"no such endpoint: {path}\"}}"));
        if (caller.Role < route.Role) return (StatusCodes.Status403Forbidden, []);
        var inner = new DefaultHttpContext { RequestAborted = outer.RequestAborted };
        inner.Request.Method = "GET";
        inner.Request.Path = path;
        inner.Request.QueryString = new QueryString(query);
        inner.Connection.RemoteIpAddress = outer.Connection.RemoteIpAddress;
        using var body = new MemoryStream();
        inner.Response.Body = body;
        await route.Handler(inner, caller).ConfigureAwait(false);
        return (inner.Response.StatusCode, body.ToArray());
    }

    /// <summary>
    /// Why a token scoped to hosts may not make this request, or null when it may: it may read anything its role
    /// allows, change what concerns one of its hosts, and change nothing that is not about a host at all.
    /// </summary>
    public static string? ScopeRefusal(ControlCaller caller, ControlRoute route, HttpContext context)
    {
        if (caller.Token is not { IsScoped: true } token || !route.Changes) return null;
        var hosts = string.Join(", ", token.Hosts);
        if (route.HostOf?.Invoke(context) is not { } host)
            return $"{token} is scoped to hosts {hosts}; {route.Method} {route.Path} changes more than one host's things";
        return token.MayTouch(host) ? null : $"{token} is scoped to hosts {hosts}, not {host}";
    }

    /// <summary>
    /// The audit event of a change: the client is who (<c>uid:0</c>, <c>user:alice</c>, <c>token:ID</c>), the host
    /// the one it concerns (if one), the path <c>METHOD PATH (from where)</c>, the status how it ended. The query
    /// and body stay out: what a change says is in its own event or the journal, and a body may hold a password.
    /// </summary>
    private void Audit(ControlCaller caller, ControlRoute route, HttpContext context, int status)
    {
        if (!route.Changes || _audit is null) return;
        string? host = null;
        try
        {
            host = route.HostOf?.Invoke(context);
        }
        catch (InvalidOperationException)
        {
            // The request's form could not be read again; the event is still worth having without the host.
        }
        _audit.Record(new BootEvent(_time.GetUtcNow(), caller.EventClient, host, BootEventKind.Audit, $"{route.Method} {route.Path} ({caller.Detail})", status, 0));
    }

    private async Task OpenApiAsync(HttpContext context, ControlCaller caller)
    {
        var document = OpenApiDocument.Write(Routes, _version);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(document, context.RequestAborted).ConfigureAwait(false);
    }

    private Task ListAsync(HttpContext context, ControlCaller caller)
    {
        var reply = Routes.Select(r => new EndpointReply(r.Method, r.Path, Name(r.Role), r.Changes, r.NetworkOnly ? "network" : "both", r.IsPage)).ToArray();
        return WriteAsync(context, StatusCodes.Status200OK, reply, ControlJson.Default.EndpointReplyArray);
    }

    /// <summary>Writes <paramref name="value"/> as the response body with its source-generated contract.</summary>
    public static Task WriteAsync<T>(HttpContext context, int status, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return System.Text.Json.JsonSerializer.SerializeAsync(context.Response.Body, value, type, context.RequestAborted);
    }

    public static Task ReplyAsync(HttpContext context, int status, string error) =>
        WriteAsync(context, status, new ErrorReply(error), ControlJson.Default.ErrorReply);

    public static string Name(ControlRole role) => role.ToString().ToLowerInvariant();

    [LoggerMessage(EventId = 601, Level = LogLevel.Information, Message = "control: {Name} ({Detail}, {Role}) asks {Method} {Path}")]
    private partial void LogChange(string name, string detail, string role, string method, string path);

    [LoggerMessage(EventId = 602, Level = LogLevel.Information, Message = "control: {Name}'s {Method} {Path} ended with {Status}")]
    private partial void LogChanged(string name, string method, string path, int status);

    [LoggerMessage(EventId = 603, Level = LogLevel.Warning, Message = "control: {Name} ({Detail}) refused {Method} {Path} ({Role})")]
    private partial void LogRefused(string name, string detail, string method, string path, string role);

    [LoggerMessage(EventId = 604, Level = LogLevel.Error, Message = "control: {Name}'s {Method} {Path} failed")]
    private partial void LogFailed(Exception e, string name, string method, string path);
}
