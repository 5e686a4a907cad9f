using NetbootPi.KernelLab.Tests.Support;

namespace NetbootPi.KernelLab.Tests.Network;

/// <summary>
/// The box's WireGuard tunnel for real (#20), in the systemd lab VM: the agent with <c>--manage-network</c> brings
/// wg0 up through systemd-networkd from the site file; a laptop (kernel WireGuard, <c>wg-quick up</c> of the config
/// <c>netbootpi wg peer add</c> printed) and a phone (wireguard-go, the same config through <c>wg-quick strip</c>)
/// dial it from a WAN namespace. Every proof is traffic or the kernel's own counters.
/// </summary>
[Collection(SystemdLabCollection.Name)]
public class WireGuardTunnelTests(SystemdLabFixture lab)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Peers_added_with_one_command_reach_the_management_network_only_and_disabling_one_leaves_the_other_unbroken()
    {
        var agent = await PublishedAgent.EnsureAsync(Ct);
        var script = $$"""
            A={{agent}}
            D=$(mktemp -d /tmp/nbp-wglab.XXXXXX)
            # As the box's /var/lib/netbootpi is: networkd (user systemd-network) goes through it to the tunnel's key.
            chmod 755 $D
            S=$D/control.sock
            NS="nbp-wan nbp-mhost nbp-bhost nbp-wgl nbp-wgp"
            cleanup() {
              systemctl kill -s KILL nbp-agent 2>/dev/null || true
              systemctl stop nbp-agent 2>/dev/null || true; systemctl reset-failed nbp-agent 2>/dev/null || true
              ip netns pids nbp-wgp 2>/dev/null | xargs -r kill 2>/dev/null || true
              # wg-quick down also takes the laptop's DNS back out of the VM's resolv.conf (resolvconf -d).
              ip netns exec nbp-wgl wg-quick down $D/wgl.conf >/dev/null 2>&1 || true
              rm -f /etc/systemd/network/50-netbootpi-* /etc/netbootpi/netbootpi.nft
              nft delete table inet netbootpi 2>/dev/null || true
              for l in wg0 lab1 lab2 lab3; do ip link del $l 2>/dev/null || true; done
              for n in $NS; do ip netns del $n 2>/dev/null || true; done
              networkctl reload || true
              rm -rf $D
            }
            trap cleanup EXIT
            for n in $NS; do ip netns add $n; ip -n $n link set lo up; done
            # mgmt (lab1): a host behind the box; boot (lab3): a host the tunnel must not reach; up (lab2, the WAN):
            # a switch (a bridge in nbp-wan) where the laptop and the phone come from.
            ip link add lab1 type veth peer name h0 netns nbp-mhost
            ip -n nbp-mhost addr add 192.168.70.2/24 dev h0; ip -n nbp-mhost link set h0 up
            ip link add lab3 type veth peer name h0 netns nbp-bhost
            ip -n nbp-bhost addr add 10.71.0.2/24 dev h0; ip -n nbp-bhost link set h0 up
            ip -n nbp-wan link add br0 type bridge; ip -n nbp-wan link set br0 up
            ip link add lab2 type veth peer name p0 netns nbp-wan
            ip -n nbp-wan link set p0 master br0 up
            i=11
            for n in nbp-wgl nbp-wgp; do
              ip -n nbp-wan link add p$i type veth peer name e0 netns $n
              ip -n nbp-wan link set p$i master br0 up
              ip -n $n addr add 192.0.2.$i/24 dev e0; ip -n $n link set e0 up
              i=$((i+1))
            done
            cat > $D/site.yaml <<SITE
            site: { name: wglab, domain: wglab.internal }
            server: { state_dir: $D/state, data_dir: $D/data }
            networks:
              mgmt: { role: management, interface: lab1, address: 192.168.70.1/24 }
              boot: { role: boot, interface: lab3, address: 10.71.0.1/24 }
              up:   { role: wan, interface: lab2, address: 192.0.2.1/24 }
            profiles:
              p: { local: true }
            defaults: { profile: p }
            wireguard:
              address: 10.99.0.1/24
              endpoint: 192.0.2.1:51820
              dns: [192.168.70.1]
            SITE

            reach() { if ip netns exec $1 ping -c 1 -W 3 $2 >/dev/null 2>&1; then echo "$1 reaches $2"; else echo "$1 does not reach $2"; fi; }
            wait_for() { local t=0; until eval "$1"; do sleep 0.5; t=$((t+1)); [ $t -lt 180 ] || { echo "timed out: $1" >&2; journalctl -u nbp-agent -u systemd-networkd --no-pager | tail -40 >&2; exit 1; }; done; }
            peers() { wg show wg0 peers | wc -l; }
            key_of() { grep -A1 "^  $1:" $D/wireguard-peers.yaml | sed -n 's/.*public_key: "\(.*\)"/\1/p'; }

            systemd-run --quiet --unit nbp-agent --collect -p Type=exec $A run --manage-network --confirm-within 60s \
              --config $D/site.yaml --no-dhcp --no-tftp --http-listen 127.0.0.1:0 --control-socket $S
            wait_for '[ -S $S ]'
            wait_for 'ip link show wg0 >/dev/null 2>&1'
            /lib/systemd/systemd-networkd-wait-online -q -i wg0 -i lab1 --timeout 90
            echo "box key: $(stat -c '%a %G' $D/state/wireguard/wg0.key), wg0 $(ip -4 -o addr show dev wg0 | awk '{print $4}'), port $(wg show wg0 listen-port), $(peers) peers"

            # The laptop: one command on the box, its output as the laptop's wg-quick file, kernel WireGuard.
            $A wg peer add laptop --no-qr --config $D/site.yaml --socket $S > $D/wgl.conf 2> $D/add.err || { cat $D/add.err >&2; exit 1; }
            chmod 600 $D/wgl.conf
            wait_for '[ "$(peers)" = 1 ]'
            echo "after add: $(peers) peer, network $($A show network --socket $S | grep -c pending) pending"
            # Its DNS = line goes to resolvconf (openresolv), as on a laptop.
            ip netns exec nbp-wgl wg-quick up $D/wgl.conf 2>/dev/null
            echo "laptop resolv.conf: $(grep -c '^nameserver 192.168.70.1' /etc/resolv.conf) nameserver from the tunnel, search $(sed -n 's/^search //p' /etc/resolv.conf)"
            reach nbp-wgl 10.99.0.1
            reach nbp-wgl 192.168.70.1
            reach nbp-wgl 192.168.70.2
            # The boot network is not opened to peers: routed into the tunnel by hand, the box drops it.
            BOX=$(sed -n 's/^PublicKey = //p' $D/wgl.conf)
            ip netns exec nbp-wgl wg set wgl peer $BOX allowed-ips 10.99.0.0/24,192.168.70.0/24,10.71.0.0/24
            ip -n nbp-wgl route add 10.71.0.0/24 dev wgl
            reach nbp-wgl 10.71.0.1
            reach nbp-wgl 10.71.0.2

            # The phone: wireguard-go, the same kind of config read through wg-quick strip.
            $A wg peer add phone --no-qr --config $D/site.yaml --socket $S > $D/wgp.conf 2>/dev/null
            chmod 600 $D/wgp.conf
            wait_for '[ "$(peers)" = 2 ]'
            ip netns exec nbp-wgp env WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 wireguard-go wgp 2>/dev/null
            ip netns exec nbp-wgp wg setconf wgp <(wg-quick strip $D/wgp.conf)
            ip -n nbp-wgp addr add $(sed -n 's/^Address = //p' $D/wgp.conf) dev wgp
            ip -n nbp-wgp link set wgp up
            ip -n nbp-wgp route add 10.99.0.0/24 dev wgp
            ip -n nbp-wgp route add 192.168.70.0/24 dev wgp
            reach nbp-wgp 192.168.70.1
            wait_for 'ip netns exec nbp-wgl ping -c 1 -W 2 10.99.0.1 >/dev/null'

            # Disabling the laptop: its handshakes stop being answered; the phone's ping runs on through the change.
            ip netns exec nbp-wgp ping -i 0.2 -c 40 -W 1 10.99.0.1 > $D/phone-ping &
            PING=$!
            sleep 3
            $A wg peer disable laptop --config $D/site.yaml --socket $S > /dev/null 2>&1
            wait_for '[ "$(peers)" = 1 ]'
            echo "after disable: box has $(wg show wg0 peers | grep -c "$(key_of phone)") phone, $(wg show wg0 peers | grep -c "$(key_of laptop)") laptop, network $($A show network --socket $S | grep -c pending) pending"
            $A confirm --socket $S > /dev/null
            reach nbp-wgl 10.99.0.1
            wait $PING
            echo "phone ping during the change: $(grep -o '[0-9]* received' $D/phone-ping), $(grep -o '[0-9.]*% packet loss' $D/phone-ping)"
            # What the kernel says, through the agent (which runs wg show itself) and read here as root: the same.
            $A wg show --socket $S > $D/show
            $A wg show --files --config $D/site.yaml --socket $S | awk '{print $1, $2, $3}' > $D/show-here
            echo "show: the same peers and states here as through the agent: $(awk '{print $1, $2, $3}' $D/show | cmp -s - $D/show-here && echo yes || echo no)"

            echo "show: $(awk '$1 == "phone" {print $1, $2, $3, ($7 > 0 && $8 > 0) ? "bytes-both-ways" : "no-bytes"}' $D/show)"
            echo "show: $(awk '$1 == "laptop" {print $1, $2, $3}' $D/show)"
            """;
        var started = DateTime.UtcNow;
        var result = await lab.ShellAsync(script, Ct, TimeSpan.FromMinutes(5));
        LabHarness.ReportTime("WireGuard tunnel: peers, reach, disable (lab)", DateTime.UtcNow - started);
        result.EnsureSuccess();
        Assert.Equal([
            "box key: 640 systemd-network, wg0 10.99.0.1/24, port 51820, 0 peers",
            "after add: 1 peer, network 0 pending",
            "laptop resolv.conf: 1 nameserver from the tunnel, search wglab.internal",
            "nbp-wgl reaches 10.99.0.1",
            "nbp-wgl reaches 192.168.70.1",
            "nbp-wgl reaches 192.168.70.2",
            "nbp-wgl does not reach 10.71.0.1",
            "nbp-wgl does not reach 10.71.0.2",
            "nbp-wgp reaches 192.168.70.1",
            "after disable: box has 1 phone, 0 laptop, network 1 pending",
            "nbp-wgl does not reach 10.99.0.1",
            "phone ping during the change: 40 received, 0% packet loss",
            "show: the same peers and states here as through the agent: yes",
            "show: phone 10.99.0.3 up bytes-both-ways",
            "show: laptop 10.99.0.2 disabled",
        ], result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task With_the_netctl_backend_the_tunnel_is_a_netctl_unit_and_a_peer_added_while_another_pings_costs_it_nothing()
    {
        var agent = await PublishedAgent.EnsureAsync(Ct);
        var netctl = await NetworkApplyTests.NetctlAsync();
        var script = $$"""
            A={{agent}}
            D=$(mktemp -d /tmp/nbp-wgnetctl.XXXXXX)
            chmod 755 $D
            S=$D/control.sock
            U='netctl@netbootpi\x2d'
            NS="nbp-wan nbp-wgl nbp-wgp"
            cleanup() {
              systemctl kill -s KILL nbp-agent 2>/dev/null || true
              systemctl stop nbp-agent 2>/dev/null || true; systemctl reset-failed nbp-agent 2>/dev/null || true
              systemctl stop "${U}wg0.service" "${U}lab1.service" "${U}lab2.service" 2>/dev/null || true
              systemctl reset-failed 'netctl@*' 2>/dev/null || true
              for c in wgl wgp; do ip netns exec nbp-$c wg-quick down $D/$c.conf >/dev/null 2>&1 || true; done
              rm -f /etc/netctl/netbootpi-* /etc/netbootpi/netbootpi.nft
              nft delete table inet netbootpi 2>/dev/null || true
              for l in wg0 lab1 lab2; do ip link del $l 2>/dev/null || true; done
              for n in $NS; do ip netns del $n 2>/dev/null || true; done
              rm -rf $D
            }
            trap cleanup EXIT
            [ -f /usr/lib/systemd/system/netctl@.service ] || { cp -a {{netctl}}/usr/. /usr/; cp -a {{netctl}}/lib/systemd/system/. /usr/lib/systemd/system/; systemctl daemon-reload; }
            mkdir -p /etc/netctl
            for n in $NS; do ip netns add $n; ip -n $n link set lo up; done
            ip link add lab1 type veth peer name m0 netns nbp-wan
            ip -n nbp-wan link add br0 type bridge; ip -n nbp-wan link set br0 up
            ip link add lab2 type veth peer name p0 netns nbp-wan
            ip -n nbp-wan link set p0 master br0 up
            i=11
            for n in nbp-wgl nbp-wgp; do
              ip -n nbp-wan link add p$i type veth peer name e0 netns $n
              ip -n nbp-wan link set p$i master br0 up
              ip -n $n addr add 192.0.2.$i/24 dev e0; ip -n $n link set e0 up
              i=$((i+1))
            done
            cat > $D/site.yaml <<SITE
            site: { name: wgnetctl }
            server: { state_dir: $D/state, data_dir: $D/data, network_backend: netctl }
            networks:
              mgmt: { role: management, interface: lab1, address: 192.168.70.1/24 }
              up:   { role: wan, interface: lab2, address: 192.0.2.1/24 }
            profiles:
              p: { local: true }
            defaults: { profile: p }
            wireguard:
              address: 10.99.0.1/24
              endpoint: 192.0.2.1:51820
            SITE

            wait_for() { local t=0; until eval "$1"; do sleep 0.5; t=$((t+1)); [ $t -lt 180 ] || { echo "timed out: $1" >&2; journalctl -u nbp-agent -u 'netctl@*' --no-pager | tail -40 >&2; exit 1; }; done; }
            peers() { wg show wg0 peers | wc -l; }
            since() { systemctl show -p ActiveEnterTimestampMonotonic --value "${U}wg0.service"; }
            up_peer() {
              $A wg peer add $1 --no-qr --config $D/site.yaml --socket $S > $D/$2.conf 2>/dev/null; chmod 600 $D/$2.conf
              wait_for "[ \"\$(peers)\" = $3 ]"
              ip netns exec nbp-$2 wg-quick up $D/$2.conf 2>/dev/null
            }

            systemd-run --quiet --unit nbp-agent --collect -p Type=exec $A run --manage-network --confirm-within 60s \
              --config $D/site.yaml --no-dhcp --no-tftp --http-listen 127.0.0.1:0 --control-socket $S
            wait_for '[ -S $S ]'
            wait_for 'systemctl is-active -q "${U}wg0.service" && ip -4 -o addr show dev wg0 | grep -q 10.99.0.1'
            echo "unit: $(systemctl is-active "${U}wg0.service"), wg0 $(ip -4 -o addr show dev wg0 | awk '{print $4}'), port $(wg show wg0 listen-port), key $(stat -c %a $D/state/wireguard/wg0.key)"
            started=$(since)
            up_peer laptop wgl 1
            wait_for 'ip netns exec nbp-wgl ping -c 1 -W 2 10.99.0.1 >/dev/null'
            ip netns exec nbp-wgl ping -i 0.2 -c 30 -W 1 10.99.0.1 > $D/laptop-ping &
            PING=$!
            sleep 2
            up_peer phone wgp 2
            if ip netns exec nbp-wgp ping -c 1 -W 3 192.168.70.1 >/dev/null; then echo "phone reaches 192.168.70.1"; fi
            wait $PING
            echo "laptop ping while the phone was added: $(grep -o '[0-9.]*% packet loss' $D/laptop-ping)"
            echo "unit restarted: $([ "$(since)" = "$started" ] && echo no || echo yes)"
            """;
        var started = DateTime.UtcNow;
        var result = await lab.ShellAsync(script, Ct, TimeSpan.FromMinutes(5));
        LabHarness.ReportTime("WireGuard tunnel under netctl (lab)", DateTime.UtcNow - started);
        result.EnsureSuccess();
        Assert.Equal([
            "unit: active, wg0 10.99.0.1/24, port 51820, key 640",
            "phone reaches 192.168.70.1",
            "laptop ping while the phone was added: 0% packet loss",
            "unit restarted: no",
        ], result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
