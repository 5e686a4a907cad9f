using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace NetbootPi.Protocols.Net;

/// <summary>The MTU of the interface that holds a local IPv4 address.</summary>
public static class InterfaceMtu
{
    /// <summary>
    /// The MTU of the interface with <paramref name="local"/> among its addresses, or null when no interface has it
    /// (or the system will not say). Lists the interfaces each time: meant for a call per TFTP transfer, not per packet.
    /// </summary>
    public static int? Of(IPAddress local)
    {
        if (local.AddressFamily != AddressFamily.InterNetwork || local.Equals(IPAddress.Any)) return null;
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                var properties = nic.GetIPProperties();
                foreach (var u in properties.UnicastAddresses)
                {
                    if (u.Address.Equals(local)) return properties.GetIPv4Properties()?.Mtu is > 0 and var mtu ? mtu : null;
                }
            }
        }
        catch (NetworkInformationException)
        {
        }
        return null;
    }
}
