using NetbootPi.Agent.Control.Accounts;

namespace NetbootPi.Agent.Control;

/// <summary>
/// A caller, as the kernel (the socket's SO_PEERCRED) or its credentials over the network (a token, a session) made
/// it known. <see cref="Name"/> says who in the audit lines (<c>uid 0</c>, <c>user alice</c>, <c>token 3f2a...</c>),
/// <see cref="Detail"/> from where (<c>pid 4242</c>, <c>from 10.0.0.5</c>).
/// </summary>
public sealed record ControlCaller(string Name, string Detail, ControlRole Role)
{
    /// <summary>The process on the socket; null over the network.</summary>
    public PeerCredentials? Peer { get; init; }

    /// <summary>The token the request came with; null for any other caller.</summary>
    public ApiToken? Token { get; init; }

    /// <summary>The session the request came with (a browser's login); null for any other caller.</summary>
    public Session? Session { get; init; }

    /// <summary>The user a request named with its password (HTTP Basic), which has no session; null for any other caller.</summary>
    public string? User { get; init; }

    /// <summary>A caller on the control socket.</summary>
    public static ControlCaller Of(PeerCredentials peer, ControlRole role) => new($"uid {peer.Uid}", $"pid {peer.Pid}", role) { Peer = peer };

    /// <summary>A caller with an API token (a bearer token, or one in a password's place), from <paramref name="address"/>.</summary>
    public static ControlCaller Of(ApiToken token, string address) =>
        new($"token {token.Id}", $"'{token.Name}' from {address}", token.Role) { Token = token };

    /// <summary>Nobody in particular: the endpoints anyone may call (health, login).</summary>
    public static ControlCaller Anonymous(string address) => new("anonymous", $"from {address}", ControlRole.Anyone);

    /// <summary>Who, as a boot event's client says it: <c>uid:0</c>, <c>user:alice</c>, <c>token:3f2a...</c>.</summary>
    public string EventClient => Peer is { } p ? $"uid:{p.Uid}" : Token is { } t ? $"token:{t.Id}" : Session is { } s ? $"user:{s.User}" : User is { } u ? $"user:{u}" : "anonymous";

    public override string ToString() => $"{Name} ({Detail})";
}
