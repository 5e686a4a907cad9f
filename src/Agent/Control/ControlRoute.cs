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
}
