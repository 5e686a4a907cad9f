using NetbootPi.KernelLab.Tests.Support;

namespace NetbootPi.KernelLab.Tests.Network;

/// <summary>
/// The agent's own network for real (#19): the published agent (NativeAOT, as it ships) runs in the systemd lab VM as a unit of its own
/// with <c>--manage-network</c> on the example site's networks, moved to a veth trunk (lab0) whose other end is in
/// peer namespaces, each VLAN tagged there on its own link (a VLAN link moved into a namespace of its own keeps its
/// lower device). Real systemd-networkd, 8021q and nftables; every proof is traffic.
/// </summary>
[Collection(SystemdLabCollection.Name)]
public class NetworkApplyTests(SystemdLabFixture lab)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static string Example()
    {
        for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "examples", "netsoc.yaml"))) return Path.Combine(dir, "examples", "netsoc.yaml");
        throw new InvalidOperationException($"no examples/netsoc.yaml above {AppContext.BaseDirectory}");
    }

    /// <summary>
    /// Debian's netctl (1.24), unpacked on this machine into a lab-only folder and never installed here (its package
    /// depends on resolvconf, which would take over this machine's /etc/resolv.conf); the VM copies it into its own
    /// root, an overlay whose writes never reach this machine.
    /// </summary>
    internal static async Task<string> NetctlAsync()
    {
        const string dir = "/var/cache/netbootpi/kernel-lab/netctl";
        if (File.Exists(Path.Combine(dir, ".complete"))) return Path.Combine(dir, "root");
        var (code, _, err) = await Tool.RunAsync("/bin/bash", ["-c", $"""
            set -euo pipefail
            rm -rf {dir}.work; mkdir -p {dir}.work/deb
            cd {dir}.work/deb && apt-get -o APT::Sandbox::User=root download -q netctl
            dpkg -x {dir}.work/deb/*.deb {dir}.work/root
            rm -rf {dir}; mv {dir}.work {dir}; touch {dir}/.complete
            """], Ct);
        if (code != 0) throw new InvalidOperationException($"unpacking Debian's netctl for the lab failed (apt-get download netctl; apt-get update?): {err}");
        return Path.Combine(dir, "root");
    }

    [Fact]
    public async Task With_the_netctl_backend_the_networks_come_up_as_netctl_units_and_an_unconfirmed_VLAN_change_goes_back()
    {
        var agent = await PublishedAgent.EnsureAsync(Ct);
        var netctl = await NetctlAsync();
        var script = $$"""
            A={{agent}}
            D=$(mktemp -d /tmp/nbp-netctl.XXXXXX)
            S=$D/control.sock
            U='netctl@netbootpi\x2dlab0'
            cleanup() {
              systemctl kill -s KILL nbp-agent 2>/dev/null || true
              systemctl stop nbp-agent 2>/dev/null || true; systemctl reset-failed nbp-agent 2>/dev/null || true
              systemctl stop "$U.69.service" "$U.70.service" "$U.420.service" "$U.service" 2>/dev/null || true
              systemctl reset-failed 'netctl@*' 2>/dev/null || true
              rm -f /etc/netctl/netbootpi-* /etc/netbootpi/netbootpi.nft
              nft delete table inet netbootpi 2>/dev/null || true
              for l in lab0.69 lab0.70 lab0.420 lab0; do ip link del $l 2>/dev/null || true; done
              for n in nbp-peer nbp-p69 nbp-p70; do ip netns del $n 2>/dev/null || true; done
              rm -rf $D
            }
            trap cleanup EXIT
            # Into the VM's own root (an overlay: nothing reaches this machine), once per VM.
            [ -f /usr/lib/systemd/system/netctl@.service ] || { cp -a {{netctl}}/usr/. /usr/; cp -a {{netctl}}/lib/systemd/system/. /usr/lib/systemd/system/; systemctl daemon-reload; }
            mkdir -p /etc/netctl
            for n in nbp-peer nbp-p69 nbp-p70; do ip netns add $n; ip -n $n link set lo up; done
            ip link add lab0 type veth peer name peer0 netns nbp-peer
            ip -n nbp-peer link set peer0 up
            ip -n nbp-peer addr add 192.168.69.2/24 dev peer0
            for v in 69 70; do
              ip -n nbp-peer link add link peer0 name v$v type vlan id $v
              ip -n nbp-peer link set v$v netns nbp-p$v
              ip -n nbp-p$v addr add 10.69.0.2/16 dev v$v
              ip -n nbp-p$v link set v$v up
            done
            # netctl hands DNS= to resolvconf, which the lab does not have: the site names no upstream resolvers.
            sed -e 's/interface: eth0/interface: lab0/' -e '/upstream_dns:/d' {{Example()}} > $D/site.yaml
            printf 'server: { state_dir: %s/state, data_dir: %s/data, network_backend: netctl }\n' $D $D >> $D/site.yaml

            reach() { if ip netns exec $1 ping -c 1 -W 1 $2 >/dev/null 2>&1; then echo "$1 reaches $2"; else echo "$1 does not reach $2"; fi; }
            wait_for() { local t=0; until eval "$1"; do sleep 0.5; t=$((t+1)); [ $t -lt 240 ] || { echo "timed out: $1" >&2; journalctl -u nbp-agent -u 'netctl@*' --no-pager | tail -40 >&2; exit 1; }; done; }
            active() { systemctl is-active -q "$U.$1.service"; }

            systemd-run --quiet --unit nbp-agent --collect -p Type=exec $A run --manage-network --confirm-within 20s               --config $D/site.yaml --no-dhcp --no-tftp --http-listen 127.0.0.1:0 --control-socket $S
            wait_for '[ -S $S ]'
            wait_for 'active 69 && active 420 && systemctl is-active -q "$U.service"'
            echo "units: $(systemctl list-units --no-legend --plain 'netctl@*' | awk '{print $1, $3}' | LC_ALL=C sort | tr '\n' ' ')"
            echo "profiles: $(LC_ALL=C ls /etc/netctl | grep netbootpi | tr '\n' ' ')"
            echo "lab0.69: $(ip -d -o link show lab0.69 | grep -o 'vlan protocol 802.1Q id 69'), $(ip -4 -o addr show dev lab0.69 | awk '{print $4}')"
            reach nbp-p69 10.69.0.1
            reach nbp-p70 10.69.0.1
            reach nbp-peer 192.168.69.1

            sed -i 's/vlan: 69 /vlan: 70 /' $D/site.yaml
            $A apply --config $D/site.yaml --confirm-within 20s --socket $S | tail -n 1 | sed 's/ by .*//'
            wait_for 'active 70'
            echo "applied: $(active 69 && echo 69-active || echo 69-inactive), lab0.69 $(ip link show lab0.69 >/dev/null 2>&1 && echo present || echo gone)"
            wait_for 'reach nbp-p70 10.69.0.1 | grep -q " reaches "'
            reach nbp-p69 10.69.0.1
            wait_for 'active 69 && ! active 70'
            wait_for 'reach nbp-p69 10.69.0.1 | grep -q " reaches "'
            echo "reverted: lab0.70 $(ip link show lab0.70 >/dev/null 2>&1 && echo present || echo gone)"
            reach nbp-p70 10.69.0.1
            """;
        var started = DateTime.UtcNow;
        var result = await lab.ShellAsync(script, Ct, TimeSpan.FromMinutes(6));
        LabHarness.ReportTime("netctl backend: apply and revert (lab)", DateTime.UtcNow - started);
        result.EnsureSuccess();
        Assert.Equal([
            @"units: netctl@netbootpi\x2dlab0.420.service active netctl@netbootpi\x2dlab0.69.service active netctl@netbootpi\x2dlab0.service active ",
            "profiles: netbootpi-lab0 netbootpi-lab0.420 netbootpi-lab0.69 ",
            "lab0.69: vlan protocol 802.1Q id 69, 10.69.0.1/16",
            "nbp-p69 reaches 10.69.0.1",
            "nbp-p70 does not reach 10.69.0.1",
            "nbp-peer reaches 192.168.69.1",
            "netbootpi: pending: applied; confirm",
            "applied: 69-inactive, lab0.69 gone",
            "nbp-p69 does not reach 10.69.0.1",
            "reverted: lab0.70 gone",
            "nbp-p70 does not reach 10.69.0.1",
        ], result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task The_example_sites_networks_come_up_and_an_unconfirmed_VLAN_change_goes_back_at_its_deadline_and_when_the_agent_is_killed_and_a_confirmed_one_stays()
    {
        var agent = await PublishedAgent.EnsureAsync(Ct);
        var script = $$"""
            A={{agent}}
            D=$(mktemp -d /tmp/nbp-netlab.XXXXXX)
            S=$D/control.sock
            cleanup() {
              systemctl kill -s KILL nbp-agent 2>/dev/null || true
              systemctl stop nbp-agent 2>/dev/null || true; systemctl reset-failed nbp-agent 2>/dev/null || true
              rm -f /etc/systemd/network/50-netbootpi-* /etc/netbootpi/netbootpi.nft
              nft delete table inet netbootpi 2>/dev/null || true
              for l in lab0.69 lab0.70 lab0.420 lab0; do ip link del $l 2>/dev/null || true; done
              for n in nbp-peer nbp-p69 nbp-p70; do ip netns del $n 2>/dev/null || true; done
              networkctl reload || true
              rm -rf $D
            }
            trap cleanup EXIT
            for n in nbp-peer nbp-p69 nbp-p70; do ip netns add $n; ip -n $n link set lo up; done
            ip link add lab0 type veth peer name peer0 netns nbp-peer
            ip -n nbp-peer link set peer0 up
            ip -n nbp-peer addr add 192.168.69.2/24 dev peer0
            ip -n nbp-peer link add link peer0 name peer0.420 type vlan id 420
            ip -n nbp-peer addr add 134.226.83.1/24 dev peer0.420
            ip -n nbp-peer link set peer0.420 up
            for v in 69 70; do
              ip -n nbp-peer link add link peer0 name v$v type vlan id $v
              ip -n nbp-peer link set v$v netns nbp-p$v
              ip -n nbp-p$v addr add 10.69.0.2/16 dev v$v
              ip -n nbp-p$v link set v$v up
            done
            mkdir -p $D/data/tftp; echo boot-file > $D/data/tftp/hello.txt
            sed -e 's/interface: eth0/interface: lab0/' {{Example()}} > $D/site.yaml
            printf 'server: { state_dir: %s/state, data_dir: %s/data }\n' $D $D >> $D/site.yaml

            start_agent() {
              systemd-run --quiet --unit nbp-agent --collect -p Type=exec $A run --manage-network --confirm-within 20s \
                --config $D/site.yaml --no-dhcp --http-listen 127.0.0.1:0 --control-socket $S
            }
            routable() { /lib/systemd/systemd-networkd-wait-online -q -i lab0.$1:routable --timeout 90; }
            reach() { if ip netns exec $1 ping -c 1 -W 1 $2 >/dev/null 2>&1; then echo "$1 reaches $2"; else echo "$1 does not reach $2"; fi; }
            tftp_from() { if ip netns exec $1 timeout 4 tftp -m binary $2 -c get hello.txt $D/got 2>/dev/null && grep -q boot-file $D/got; then echo "tftp from $1 to $2: got it"; else echo "tftp from $1 to $2: nothing"; fi; rm -f $D/got; }
            wait_for() { local t=0; until eval "$1"; do sleep 0.5; t=$((t+1)); [ $t -lt 240 ] || { echo "timed out: $1" >&2; journalctl -u nbp-agent --no-pager | tail -30 >&2; exit 1; }; done; }
            confirmed_vlan() { grep -o 'Id=[0-9]*' /etc/systemd/network/50-netbootpi-lab0.*.netdev | grep -v '=420' | sed 's/.*Id=//'; }

            # 1. At start: the first network of ours is confirmed at once.
            start_agent
            wait_for '[ -S $S ]'
            routable 69; routable 420
            wait_for 'nft list table inet netbootpi >/dev/null 2>&1'
            echo "start: $(ip -d -o link show lab0.69 | grep -o 'vlan protocol 802.1Q id 69'), $(ip -d -o link show lab0.420 | grep -o 'id 420')"
            reach nbp-p69 10.69.0.1
            reach nbp-p70 10.69.0.1
            reach nbp-peer 192.168.69.1
            if ping -c 1 -W 2 -I lab0.420 134.226.83.1 >/dev/null; then echo "box reaches wan peer 134.226.83.1"; fi
            reach nbp-peer 134.226.83.42
            ip -n nbp-peer addr add 10.69.0.9/16 dev peer0
            echo "untagged: $(reach nbp-peer 10.69.0.1)"
            ip -n nbp-peer addr del 10.69.0.9/16 dev peer0
            tftp_from nbp-p69 10.69.0.1
            tftp_from nbp-peer 192.168.69.1
            tftp_from nbp-peer 134.226.83.42
            echo "tables: $(nft list tables | tr '\n' ' ')"

            # 2. VLAN 69 -> 70 applied with a 20 s window and no confirm.
            sed -i 's/vlan: 69 /vlan: 70 /' $D/site.yaml
            $A apply --config $D/site.yaml --confirm-within 20s --socket $S | tail -n 1 | sed 's/ by .*//'
            t0=$(date +%s)
            routable 70
            echo "applied: lab0.69 $(ip link show lab0.69 >/dev/null 2>&1 && echo present || echo gone), vlan $(confirmed_vlan)"
            reach nbp-p70 10.69.0.1
            reach nbp-p69 10.69.0.1
            wait_for 'ip link show lab0.69 >/dev/null 2>&1'
            routable 69
            echo "TIME revert $(( $(date +%s) - t0 ))"
            echo "reverted: lab0.70 $(ip link show lab0.70 >/dev/null 2>&1 && echo present || echo gone), vlan $(confirmed_vlan)"
            reach nbp-p69 10.69.0.1
            reach nbp-p70 10.69.0.1

            # 3. The same change again, and the agent killed inside the window: its next start puts VLAN 69 back.
            $A apply --config $D/site.yaml --confirm-within 20s --socket $S | tail -n 1 | sed 's/ by .*//'
            routable 70
            systemctl kill -s KILL nbp-agent
            wait_for '! systemctl is-active -q nbp-agent'
            echo "killed: vlan $(confirmed_vlan)"
            reach nbp-p70 10.69.0.1
            systemctl reset-failed nbp-agent 2>/dev/null || true
            t0=$(date +%s)
            start_agent
            wait_for 'ip link show lab0.69 >/dev/null 2>&1'
            routable 69
            echo "TIME restart-revert $(( $(date +%s) - t0 ))"
            echo "restarted: lab0.70 $(ip link show lab0.70 >/dev/null 2>&1 && echo present || echo gone), vlan $(confirmed_vlan)"
            reach nbp-p69 10.69.0.1
            reach nbp-p70 10.69.0.1

            # 4. The change once more, confirmed: show network names it pending, confirm keeps it past the window.
            # A window of 25 s: each netbootpi run in the VM starts a process under emulation (seconds on a loaded
            # machine), and 20 s did not always cover the apply, two shows and the confirm; one show and the
            # confirm now, then past the window.
            t4=$(date +%s)
            $A apply --config $D/site.yaml --confirm-within 25s --socket $S | tail -n 1 | sed 's/ by .*//'
            shown=$($A show network --socket $S)
            echo "shown pending: $(grep -c '^pending: ' <<<"$shown" || true), lab0.70 $(grep -q 'lab0\.70' <<<"$shown" && echo listed || echo missing)"
            $A confirm --socket $S >/dev/null && echo "confirm: ok"
            echo "shown pending after confirm: $($A show network --socket $S | { grep -c '^pending: ' || true; })"
            routable 70
            left=$(( t4 + 30 - $(date +%s) )); [ $left -le 0 ] || sleep $left
            echo "after the window: lab0.69 $(ip link show lab0.69 >/dev/null 2>&1 && echo present || echo gone), vlan $(confirmed_vlan)"
            reach nbp-p70 10.69.0.1
            """;
        var started = DateTime.UtcNow;
        var result = await lab.ShellAsync(script, Ct, TimeSpan.FromMinutes(8));
        LabHarness.ReportTime("network apply, revert at the deadline and after a kill, confirm (lab)", DateTime.UtcNow - started);
        result.EnsureSuccess();
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var times = lines.Where(l => l.StartsWith("TIME ", StringComparison.Ordinal)).ToDictionary(l => l.Split(' ')[1], l => int.Parse(l.Split(' ')[2]));
        Assert.Equal([
            "start: vlan protocol 802.1Q id 69, id 420",
            "nbp-p69 reaches 10.69.0.1",
            "nbp-p70 does not reach 10.69.0.1",
            "nbp-peer reaches 192.168.69.1",
            "box reaches wan peer 134.226.83.1",
            // The WAN answers nothing (its role's default), ping included.
            "nbp-peer does not reach 134.226.83.42",
            "untagged: nbp-peer does not reach 10.69.0.1",
            // TFTP answers on the boot network only.
            "tftp from nbp-p69 to 10.69.0.1: got it",
            "tftp from nbp-peer to 192.168.69.1: nothing",
            "tftp from nbp-peer to 134.226.83.42: nothing",
            "tables: table inet netbootpi ",
            "netbootpi: pending: applied; confirm",
            "applied: lab0.69 gone, vlan 70",
            "nbp-p70 reaches 10.69.0.1",
            "nbp-p69 does not reach 10.69.0.1",
            "reverted: lab0.70 gone, vlan 69",
            "nbp-p69 reaches 10.69.0.1",
            "nbp-p70 does not reach 10.69.0.1",
            "netbootpi: pending: applied; confirm",
            "killed: vlan 70",
            "nbp-p70 reaches 10.69.0.1",
            "restarted: lab0.70 gone, vlan 69",
            "nbp-p69 reaches 10.69.0.1",
            "nbp-p70 does not reach 10.69.0.1",
            "netbootpi: pending: applied; confirm",
            "shown pending: 1, lab0.70 listed",
            "confirm: ok",
            "shown pending after confirm: 0",
            "after the window: lab0.69 gone, vlan 70",
            "nbp-p70 reaches 10.69.0.1",
        ], lines.Where(l => !l.StartsWith("TIME ", StringComparison.Ordinal)));
        // The deadline is 20 s after the apply; networkd then needs a moment to bring VLAN 69 up again (TCG).
        Assert.InRange(times["revert"], 15, 60);
    }
}
