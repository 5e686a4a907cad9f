using System.Net.Sockets;
using NetbootPi.Agent.Site;
using NetbootPi.Hardware.Power;
using NetbootPi.Protocols.Net;
using NetbootPi.Protocols.Power;

namespace NetbootPi.Agent.Power;

/// <summary>
/// Wake-on-LAN: the host's MAC in a magic packet, broadcast on its network (the network its address is in, or
/// <c>power.network</c>) out of that network's interface. It turns a host on and nothing else, and cannot tell
/// whether the host woke.
/// </summary>
public sealed class WakeOnLanDriver(MacAddress mac, Ipv4Address broadcast, string? interfaceName, string networkName) : IHostPowerDriver
{
    public static WakeOnLanDriver For(SiteInventory site, HostEntry host)
    {
        var network = host.Power?.WakeNetwork is { } name ? site.FindNetwork(name)
            : host.Ip is { } ip ? site.NetworkContaining(ip) : null;
        // The site reader refuses a wol host without either; this is the snapshot contract.
        if (network is null) throw new PowerException($"host {host.Name}: no network to send the magic packet on (set its ip, or power.network)");
        return new WakeOnLanDriver(host.Mac, network.Subnet.BroadcastAddress, network.Interface, network.Name);
    }

    public Task<PowerReply> RunAsync(PowerAction action, CancellationToken cancellation)
    {
        if (action != PowerAction.On)
            return Task.FromResult(new PowerReply(false, PowerState.Unknown,
                action == PowerAction.Status
                    ? "unknown: Wake-on-LAN cannot read a host's power"
                    : $"Wake-on-LAN can only turn a host on ({ActionName(action)} needs a front panel, a BMC or a hypervisor: see docs/power.md)"));
        try
        {
            WakeOnLan.Send(mac, broadcast, interfaceName);
        }
        catch (SocketException e)
        {
            throw new PowerException($"cannot send the magic packet to {broadcast}:{WakeOnLan.Port} on network {networkName}{(interfaceName is null ? "" : $" ({interfaceName})")}: {e.Message} (is the interface up, and is the agent root or CAP_NET_RAW?)", e);
        }
        return Task.FromResult(new PowerReply(true, PowerState.Unknown,
            $"magic packet for {mac} sent to {broadcast}:{WakeOnLan.Port} on network {networkName}{(interfaceName is null ? "" : $" ({interfaceName})")}; Wake-on-LAN cannot tell whether it woke"));
    }

    internal static string ActionName(PowerAction action) => action switch
    {
        PowerAction.ForceOff => "off --force",
        _ => action.ToString().ToLowerInvariant(),
    };

    public void Dispose()
    {
    }
}
