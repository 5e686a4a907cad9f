using NetbootPi.KernelLab.Tests.Support;

namespace NetbootPi.KernelLab.Tests.Smoke;

/// <summary>802.1Q through systemd-networkd, as the agent will configure its own VLANs.</summary>
[Collection(SystemdLabCollection.Name)]
public class VlanTests(SystemdLabFixture lab)
{
    [Fact]
    public async Task A_VLAN_that_networkd_makes_from_a_netdev_carries_tagged_frames_to_a_peer_namespace()
    {
        // lab0 (networkd's, with VLAN 42 on it) is a veth whose other end, peer0, is in namespace nbp-peer;
        // there a plain 802.1Q link on peer0 answers. tcpdump on peer0 sees the tag itself.
        var result = await lab.ShellAsync("""
            N=/etc/systemd/network
            cleanup() {
              rm -f $N/50-nbp-lab0.network $N/50-nbp-lab0.42.netdev $N/50-nbp-lab0.42.network
              ip link del lab0.42 2>/dev/null || true; ip link del lab0 2>/dev/null || true
              ip netns del nbp-peer 2>/dev/null || true
              networkctl reload
            }
            trap cleanup EXIT
            ip netns add nbp-peer
            ip link add lab0 type veth peer name peer0 netns nbp-peer
            printf '[Match]\nName=lab0\n[Network]\nVLAN=lab0.42\nLinkLocalAddressing=no\n' > $N/50-nbp-lab0.network
            printf '[NetDev]\nName=lab0.42\nKind=vlan\n[VLAN]\nId=42\n' > $N/50-nbp-lab0.42.netdev
            printf '[Match]\nName=lab0.42\n[Network]\nAddress=10.42.0.1/24\nLinkLocalAddressing=no\n' > $N/50-nbp-lab0.42.network
            networkctl reload
            ip -n nbp-peer link set peer0 up
            ip -n nbp-peer link add link peer0 name peer0.42 type vlan id 42
            ip -n nbp-peer addr add 10.42.0.2/24 dev peer0.42
            ip -n nbp-peer link set peer0.42 up
            /lib/systemd/systemd-networkd-wait-online -i lab0.42:routable --timeout 30
            ip -d -o link show lab0.42 | grep -o 'vlan protocol 802.1Q id 42'
            networkctl list --no-legend lab0.42 | awk '{print $2, $3, $5}'
            trap 'rm -f /tmp/nbp-vlan.cap; cleanup' EXIT
            ip netns exec nbp-peer timeout 20 tcpdump -l -n -e -c 1 -i peer0 'vlan 42 and icmp' > /tmp/nbp-vlan.cap 2>/dev/null &
            cap=$!
            sleep 1
            ip netns exec nbp-peer ping -c 3 -W 2 10.42.0.1 > /dev/null && echo peer-reached-vlan-address
            wait $cap
            grep -o 'ethertype 802.1Q (0x8100), length [0-9]*: vlan 42' /tmp/nbp-vlan.cap | head -n1 | sed 's/, length [0-9]*//'
            """, TestContext.Current.CancellationToken);

        result.EnsureSuccess();
        Assert.Equal("vlan protocol 802.1Q id 42\nlab0.42 vlan configured\npeer-reached-vlan-address\nethertype 802.1Q (0x8100): vlan 42\n",
            result.Stdout);
    }
}
