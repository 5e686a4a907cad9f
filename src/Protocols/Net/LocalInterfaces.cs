using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace NetbootPi.Protocols.Net;

/// <summary>
/// The box's network interfaces: the one place that asks the system about them (getifaddrs(3) through
/// <see cref="NetworkInterface"/>). Lists them each time it is asked: for a call per transfer, a rescan or a
/// relayed broadcast, never per packet.
/// </summary>
public static class LocalInterfaces
{
    public static IReadOnlyList<LocalInterface> List()
    {
        NetworkInterface[] nics;
        try
        {
            nics = NetworkInterface.GetAllNetworkInterfaces();
        }
        catch (NetworkInformationException)
        {
            return [];
        }
        var list = new List<LocalInterface>(nics.Length);
        foreach (var nic in nics)
        {
            try
            {
                list.Add(Describe(nic));
            }
            catch (Exception e) when (e is NetworkInformationException or IOException or UnauthorizedAccessException)
            {
                // Gone between the listing and the reading of its properties: as if it had not been listed.
            }
        }
        return list;
    }

    /// <summary>The interface named <paramref name="name"/>, or null when there is none (yet).</summary>
    public static LocalInterface? Find(string name) => List().FirstOrDefault(i => i.Name == name);

    /// <summary>The interface with <paramref name="address"/> among its IPv4 addresses, or null.</summary>
    public static LocalInterface? Holding(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork || address.Equals(IPAddress.Any)) return null;
        var a = Ipv4Address.FromIPAddress(address);
        return List().FirstOrDefault(i => i.Ipv4.Any(x => x.Address == a));
    }

    /// <summary>The MTU of the interface holding <paramref name="address"/>, or null (a TFTP server's block-size limit).</summary>
    public static int? MtuOf(IPAddress address) => Holding(address)?.Mtu is > 0 and var mtu ? mtu : null;

    private static LocalInterface Describe(NetworkInterface nic)
    {
        var properties = nic.GetIPProperties();
        var v4 = properties.GetIPv4Properties();
        var addresses = new List<Ipv4Interface>();
        foreach (var u in properties.UnicastAddresses)
        {
            if (u.Address.AddressFamily == AddressFamily.InterNetwork)
                addresses.Add(new Ipv4Interface(Ipv4Address.FromIPAddress(u.Address), u.PrefixLength));
        }
        var hardware = nic.GetPhysicalAddress().GetAddressBytes();
        MacAddress? mac = hardware.Length == 6 && hardware.Any(b => b != 0) ? MacAddress.FromBytes(hardware) : null;
        return new LocalInterface(nic.Name, v4?.Index ?? 0, mac, v4?.Mtu ?? 0, addresses);
    }
}
