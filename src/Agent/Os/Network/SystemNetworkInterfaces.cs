using System.Net;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Os.Network;

/// <summary><see cref="INetworkInterfaces"/> as the kernel reports them.</summary>
public sealed class SystemNetworkInterfaces : INetworkInterfaces
{
    public LocalInterface? Find(string name) => LocalInterfaces.Find(name);

    public LocalInterface? Holding(IPAddress address) => LocalInterfaces.Holding(address);
}
