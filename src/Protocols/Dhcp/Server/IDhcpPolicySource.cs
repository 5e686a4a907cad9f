namespace NetbootPi.Protocols.Dhcp.Server;

/// <summary>Where the engine gets its policy: <see cref="Current"/> is read once at the start of each request.</summary>
public interface IDhcpPolicySource
{
    /// <summary>The policy for the site as it is now; cheap, thread-safe, and immutable once returned.</summary>
    IDhcpPolicy Current { get; }
}
