namespace NetbootPi.Agent.Site;

/// <summary>How the box reaches a host's power (<c>power.driver</c> in a host entry; docs/power.md).</summary>
public enum PowerDriver
{
    /// <summary>The front panel's buttons and power LED on the Pi's own GPIO lines.</summary>
    Gpio,

    /// <summary>The front panel through an MCP23017 I²C expander (16 lines).</summary>
    Mcp23017,

    /// <summary>The front panel through an MCP23008 I²C expander (8 lines).</summary>
    Mcp23008,

    /// <summary>Wake-on-LAN: a magic packet to the host's MAC; can only turn a host on.</summary>
    WakeOnLan,

    /// <summary>A qemu VM over its QMP socket.</summary>
    Qmp,

    /// <summary>A BMC over IPMI 2.0 (RMCP+, <c>ipmitool -I lanplus</c>); its account in the power secrets file.</summary>
    Ipmi,

    /// <summary>A BMC over Redfish (HTTPS); its account in the power secrets file.</summary>
    Redfish,
}
