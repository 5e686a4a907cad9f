namespace NetbootPi.Agent.Site;

/// <summary>How the box's own network is configured from the site (<c>server.network_backend</c>).</summary>
public enum NetworkBackend
{
    /// <summary>systemd-networkd: <c>.netdev</c> and <c>.network</c> files, reloaded over D-Bus.</summary>
    Networkd,
    /// <summary>Arch's netctl: one profile per interface, started as <c>netctl@PROFILE.service</c>.</summary>
    Netctl,
    /// <summary>The box's network is left alone (configured by hand or by another tool).</summary>
    None,
}
