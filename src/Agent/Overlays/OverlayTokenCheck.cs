namespace NetbootPi.Agent.Overlays;

/// <summary>How an upload's <c>Authorization</c> header compared with the host's overlay token.</summary>
public enum OverlayTokenCheck
{
    Accepted,
    /// <summary>No <c>Authorization: Bearer</c> header.</summary>
    Missing,
    /// <summary>The box has no token for this host yet (<c>netbootpi overlay token HOST</c> makes one).</summary>
    NotIssued,
    /// <summary>A token, but not this host's (a rotated one, or another host's).</summary>
    Wrong,
}
