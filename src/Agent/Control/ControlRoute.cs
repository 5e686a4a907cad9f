using Microsoft.AspNetCore.Http;

namespace NetbootPi.Agent.Control;

/// <summary>Handles one control request from a caller already known to hold the route's role.</summary>
public delegate Task ControlHandler(HttpContext context, ControlCaller caller);

/// <summary>
/// One endpoint of the control API: its method and path, the least role that may call it, and whether it changes
/// anything (every change is audited: who, what, and how it ended).
/// </summary>
public sealed record ControlRoute(string Method, string Path, ControlRole Role, bool Changes, ControlHandler Handler);

/// <summary>A caller, as the kernel and the role rules know it.</summary>
public sealed record ControlCaller(PeerCredentials Peer, ControlRole Role);
