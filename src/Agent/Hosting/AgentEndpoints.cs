using System.Net;
using NetbootPi.Agent.Apply.Network;
using NetbootPi.Agent.Apply.Nfs;
using NetbootPi.Agent.Http;

namespace NetbootPi.Agent.Hosting;

/// <summary>
/// Where the agent's servers listen. On the box: every address, the standard ports. Tests and the lab
/// override them (<c>netbootpi run --listen 127.0.0.1 --tftp-port 6969</c>) to stay on loopback or a namespace.
/// </summary>
/// <param name="ControlSocket">The control API's unix socket; null runs without one.</param>
/// <param name="ControlGroup">The group whose members may use the control socket as operators.</param>
public sealed record AgentEndpoints(IPAddress ListenAddress, int TftpPort, bool EnableDhcp, bool EnableTftp,
    HttpListenAddress? HttpListen = null, string? ControlSocket = null, string ControlGroup = "netbootpi")
{
    /// <summary>The box's own network from the site (<c>run --manage-network</c>); null: the network is left alone.</summary>
    public NetworkServiceOptions? Network { get; init; }

    /// <summary>The box's NFS exports from the site (<c>run --manage-nfs</c>); null: exports are left alone.</summary>
    public NfsApplierOptions? Nfs { get; init; }

    /// <summary>False: no DNS server even when the site has a <c>dns:</c> section (<c>run --no-dns</c>).</summary>
    public bool EnableDns { get; init; } = true;

    /// <summary>The control API over the network too, on the management network's address (<c>run --network-api</c>).</summary>
    public bool NetworkApi { get; init; }

    /// <summary>DNS on this address and port instead of port 53 on the site's networks (<c>run --dns-listen</c>; tests).</summary>
    public IPEndPoint? DnsListen { get; init; }
}
