using System.Net;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Os.Network;

/// <summary>
/// The box's network interfaces as they are now: the one lookup every service uses (a VLAN that networkd has
/// still to create is simply not there yet).
/// </summary>
public interface INetworkInterfaces
{
    /// <summary>The interface named <paramref name="name"/>, or null when it does not exist (yet).</summary>
    LocalInterface? Find(string name);

    /// <summary>The interface holding the IPv4 <paramref name="address"/>, or null.</summary>
    LocalInterface? Holding(IPAddress address);
}
