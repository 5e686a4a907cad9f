namespace NetbootPi.Agent.Site;

/// <summary>A service of the box that the firewall lets answer on a network (<c>firewall.allow</c>).</summary>
public enum BoxService
{
    /// <summary>DHCP (UDP 67, and 4011 for ProxyDHCP).</summary>
    Dhcp,
    /// <summary>TFTP (UDP 69).</summary>
    Tftp,
    /// <summary>The boot HTTP service (TCP <c>server.http_port</c>).</summary>
    Http,
    /// <summary>The system's SSH server (TCP 22).</summary>
    Ssh,
    /// <summary>ICMP echo (ping).</summary>
    Ping,
    /// <summary>The box's DNS server (UDP and TCP 53), on the networks it answers DNS on (<c>dns.listen</c>).</summary>
    Dns,
    /// <summary>The control API over the network (TCP <c>server.api_port</c> and <c>api_http_port</c>, <c>run --network-api</c>).</summary>
    Api,
}
