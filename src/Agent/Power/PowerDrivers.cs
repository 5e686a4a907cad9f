using NetbootPi.Agent.Os.Tools;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Power;

/// <summary>The driver for a host's <c>power:</c> wiring.</summary>
public static class PowerDrivers
{
    /// <summary>Null when the host has no <c>power:</c>; throws <see cref="PowerException"/> when its medium cannot be opened.</summary>
    public static IHostPowerDriver? For(SiteInventory site, string siteFile, HostEntry host, TimeProvider time) => host.Power switch
    {
        null => null,
        { Driver: PowerDriver.Ipmi } => IpmiPowerDriver.For(siteFile, host, new ToolRunner(time)),
        { Driver: PowerDriver.Redfish } => RedfishPowerDriver.For(siteFile, host),
        { Driver: PowerDriver.WakeOnLan } => WakeOnLanDriver.For(site, host),
        { Driver: PowerDriver.Qmp } p => new QmpPowerDriver(p.QmpSocket!),
        { } p => PanelPowerDriver.Open(p, time),
    };
}
