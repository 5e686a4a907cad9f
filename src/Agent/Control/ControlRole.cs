namespace NetbootPi.Agent.Control;

/// <summary>What a caller of the control API may do. Each role may do everything the roles below it may.</summary>
public enum ControlRole
{
    /// <summary>No credentials at all: only the health probe and the login take it.</summary>
    Anyone = 0,

    /// <summary>Reads status, hosts, leases and events.</summary>
    Viewer = 1,

    /// <summary>Acts on hosts: power, media, keyboard, overlays.</summary>
    Operator = 2,

    /// <summary>Changes the box: the site, its network, WireGuard, accounts.</summary>
    Admin = 3,
}
