using NetbootPi.KernelLab.Tests.Support;

namespace NetbootPi.KernelLab.Tests.Smoke;

/// <summary>Kernel WireGuard, as the agent's tunnels will use it.</summary>
[Collection(SystemdLabCollection.Name)]
public class WireGuardTests(SystemdLabFixture lab)
{
    [Fact]
    public async Task Two_kernel_WireGuard_interfaces_in_two_namespaces_handshake_and_carry_traffic()
    {
        var result = await lab.ShellAsync("""
            trap 'ip netns del nbp-wga 2>/dev/null || true; ip netns del nbp-wgb 2>/dev/null || true' EXIT
            ip netns add nbp-wga; ip netns add nbp-wgb
            ip link add va netns nbp-wga type veth peer name vb netns nbp-wgb
            ip -n nbp-wga addr add 192.168.77.1/24 dev va; ip -n nbp-wga link set va up
            ip -n nbp-wgb addr add 192.168.77.2/24 dev vb; ip -n nbp-wgb link set vb up
            ka=$(wg genkey); kb=$(wg genkey)
            pa=$(printf '%s' "$ka" | wg pubkey); pb=$(printf '%s' "$kb" | wg pubkey)
            ip -n nbp-wga link add wg0 type wireguard
            ip -n nbp-wgb link add wg0 type wireguard
            ip netns exec nbp-wga wg set wg0 private-key <(printf '%s' "$ka") listen-port 51820 \
              peer "$pb" allowed-ips 10.77.0.2/32 endpoint 192.168.77.2:51820
            ip netns exec nbp-wgb wg set wg0 private-key <(printf '%s' "$kb") listen-port 51820 \
              peer "$pa" allowed-ips 10.77.0.1/32 endpoint 192.168.77.1:51820
            ip -n nbp-wga addr add 10.77.0.1/24 dev wg0; ip -n nbp-wga link set wg0 up
            ip -n nbp-wgb addr add 10.77.0.2/24 dev wg0; ip -n nbp-wgb link set wg0 up
            ip netns exec nbp-wga ping -c 2 -W 3 10.77.0.2 > /dev/null && echo tunnel-carries-traffic
            # A handshake happened on both sides: a non-zero time for the other's key.
            [ "$(ip netns exec nbp-wga wg show wg0 latest-handshakes | awk -v k="$pb" '$1 == k {print $2}')" -gt 0 ] && echo a-handshook
            [ "$(ip netns exec nbp-wgb wg show wg0 latest-handshakes | awk -v k="$pa" '$1 == k {print $2}')" -gt 0 ] && echo b-handshook
            """, TestContext.Current.CancellationToken);

        result.EnsureSuccess();
        Assert.Equal("tunnel-carries-traffic\na-handshook\nb-handshook\n", result.Stdout);
    }
}
