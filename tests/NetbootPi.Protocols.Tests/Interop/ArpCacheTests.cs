using NetbootPi.Protocols.Interop;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Tests.Interop;

/// <summary>struct arpreq as SIOCSARP reads it, field by field (offsets checked with offsetof on x86_64; arm64 alike).</summary>
public class ArpCacheTests
{
    [Fact]
    public void The_request_says_address_is_at_mac_on_the_interface()
    {
        var request = new byte[ArpCache.RequestSize];
        request.AsSpan().Fill(0xEE); // every byte not written must be cleared
        ArpCache.WriteRequest(request, Ipv4Address.Parse("10.77.6.10"), MacAddress.Parse("02:77:06:00:00:0a"), "eth0.69");
        byte[] expected =
        [
            // arp_pa (struct sockaddr_in, 16): sin_family AF_INET = 2 (host order), sin_port 0, sin_addr 10.77.6.10, zero
            0x02, 0x00, 0x00, 0x00, 10, 77, 6, 10, 0, 0, 0, 0, 0, 0, 0, 0,
            // arp_ha (struct sockaddr, 16): sa_family ARPHRD_ETHER = 1 (host order), sa_data = the MAC, zero
            0x01, 0x00, 0x02, 0x77, 0x06, 0x00, 0x00, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0,
            // arp_flags (int): ATF_COM = 0x02
            0x02, 0x00, 0x00, 0x00,
            // arp_netmask (struct sockaddr, 16): unused (only for proxy ARP)
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            // arp_dev (char[16]): "eth0.69", NUL-padded
            (byte)'e', (byte)'t', (byte)'h', (byte)'0', (byte)'.', (byte)'6', (byte)'9', 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        Assert.Equal(68, expected.Length);
        Assert.Equal(expected, request);
    }

    [Fact]
    public void An_overlong_interface_name_keeps_its_terminating_nul()
    {
        var request = new byte[ArpCache.RequestSize];
        ArpCache.WriteRequest(request, Ipv4Address.Parse("10.0.0.1"), MacAddress.Parse("02:00:00:00:00:01"), new string('x', 20));
        Assert.Equal(new string('x', 15), System.Text.Encoding.ASCII.GetString(request, 52, 15));
        Assert.Equal(0, request[67]);
    }
}
