namespace NetbootPi.Agent.Control.Network;

/// <summary>Where the control API answers over the network and its certificate's fingerprint, once it listens (for <c>netbootpi status</c>).</summary>
public sealed class ApiEndpointInfo
{
    private volatile Listening? _now;

    public Listening? Now => _now;

    internal void Set(Listening? now) => _now = now;

    /// <summary>The API's URL and its certificate's SHA-256 fingerprint.</summary>
    public sealed record Listening(string Url, string Fingerprint);
}
