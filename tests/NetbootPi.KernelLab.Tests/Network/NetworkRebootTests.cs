using NetbootPi.KernelLab.Tests.Support;

namespace NetbootPi.KernelLab.Tests.Network;

/// <summary>
/// A box rebooted inside a change's confirm window comes back on its last confirmed network (#19): two boots of a
/// systemd-mode VM of its own (a reboot ends a lab VM) sharing one disk, which holds what a box keeps across a
/// reboot: the site file, the agent's state directory (the pending change) and /etc/systemd/network. The first
/// boot confirms the example site's network, applies VLAN 69 -> 70 with a long window and reboots; in the second,
/// networkd brings up what it finds (VLAN 70, as a box's boot would), then the agent starts, finds the change
/// pending and puts VLAN 69 back (every proof is traffic from peer namespaces tagged on each VLAN); and a reload
/// (SIGHUP) that would move the management address is refused by the same guard.
/// </summary>
public class NetworkRebootTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The disk mounted, /etc/systemd/network from it, the trunk and its tagged peers, helpers.</summary>
    private static string Common(string agent) => $$"""
        A={{agent}}
        P=/srv/nbp-persist; S=/run/nbp-control.sock
        mkdir -p $P; mount /dev/disk/by-id/virtio-persist $P
        mkdir -p $P/network; mount --bind $P/network /etc/systemd/network
        # networkd's sandbox is a mount namespace made when it started: it sees the folder from its next start on.
        systemctl restart systemd-networkd
        for n in nbp-peer nbp-p69 nbp-p70; do ip netns add $n; ip -n $n link set lo up; done
        ip link add lab0 type veth peer name peer0 netns nbp-peer
        ip -n nbp-peer link set peer0 up
        for v in 69 70; do
          ip -n nbp-peer link add link peer0 name v$v type vlan id $v
          ip -n nbp-peer link set v$v netns nbp-p$v
          ip -n nbp-p$v addr add 10.69.0.2/16 dev v$v
          ip -n nbp-p$v link set v$v up
        done
        start_agent() {
          systemd-run --quiet --unit nbp-agent --collect -p Type=exec $A run --manage-network --confirm-within 20s \
            --config $P/site.yaml --no-dhcp --no-tftp --http-listen 127.0.0.1:0 --control-socket $S
        }
        routable() { /lib/systemd/systemd-networkd-wait-online -q -i lab0.$1:routable --timeout 90; }
        reach() { if ip netns exec $1 ping -c 1 -W 2 $2 >/dev/null 2>&1; then echo "$1 reaches $2"; else echo "$1 does not reach $2"; fi; }
        wait_for() { local t=0; until eval "$1"; do sleep 0.5; t=$((t+1)); [ $t -lt 240 ] || { echo "timed out: $1" >&2; journalctl -u nbp-agent --no-pager | tail -30 >&2; exit 1; }; done; }
        """;

    [Fact]
    public async Task A_box_rebooted_inside_the_window_comes_back_on_its_last_confirmed_network()
    {
        LabHarness.Require();
        var agent = await PublishedAgent.EnsureAsync(Ct);
        var folder = Directory.CreateTempSubdirectory("netbootpi-netreboot-").FullName;
        try
        {
            string disk = Path.Combine(folder, "persist.img");
            await using (var file = File.Create(disk)) file.SetLength(64L << 20);
            string[] options = ["--systemd", "--disk", $"{disk},serial=persist"];
            var started = DateTime.UtcNow;

            // First boot: the network confirmed at start, then VLAN 70 applied with a window far past the reboot.
            var first = $$"""
                set -euo pipefail
                mkfs.ext4 -q -F /dev/disk/by-id/virtio-persist
                {{Common(agent)}}
                sed -e 's/interface: eth0/interface: lab0/' {{NetworkApplyTests.Example()}} > $P/site.yaml
                printf 'server: { state_dir: %s/state, data_dir: %s/data }\n' $P $P >> $P/site.yaml
                mkdir -p $P/data
                start_agent
                wait_for '[ -S $S ]'
                routable 69
                reach nbp-p69 10.69.0.1
                sed -i 's/vlan: 69 /vlan: 70 /' $P/site.yaml
                $A apply --config $P/site.yaml --confirm-within 10m --socket $S | tail -n 1 | sed 's/ by .*//'
                routable 70
                reach nbp-p70 10.69.0.1
                sync
                echo "rebooting inside the window"
                systemctl reboot
                sleep 120
                """;
            var (code, stdout, stderr) = await LabHarness.RunOnceAsync(options, ["/bin/bash", "-c", first], TimeSpan.FromMinutes(5), Ct);
            // -no-reboot turns the guest's reboot into the end of qemu: run.sh reports the VM stopped (122).
            Assert.True(code == 122, $"the first boot ended with {code}, not 122 (rebooted)\n{stdout}\n{stderr}");
            Assert.Equal([
                "nbp-p69 reaches 10.69.0.1",
                "netbootpi: pending: applied; confirm",
                "nbp-p70 reaches 10.69.0.1",
                "rebooting inside the window",
            ], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Shorten));

            // Second boot: networkd brings up what /etc/systemd/network holds (started on it), then the agent starts.
            var second = $$"""
                set -euo pipefail
                {{Common(agent)}}
                routable 70
                echo "booted: $(reach nbp-p70 10.69.0.1)"
                start_agent
                wait_for 'ip link show lab0.69 >/dev/null 2>&1'
                routable 69
                echo "agent started: lab0.70 $(ip link show lab0.70 >/dev/null 2>&1 && echo present || echo gone)"
                reach nbp-p69 10.69.0.1
                reach nbp-p70 10.69.0.1
                wait_for '[ -S $S ]'
                $A show network --socket $S | grep -c '^pending: ' || true
                # A reload (SIGHUP) goes through the same guard: moving the management address is refused, nothing moves.
                sed -i 's|address: 192.168.69.1/24|address: 192.168.69.5/24|' $P/site.yaml
                systemctl kill -s HUP nbp-agent
                wait_for 'journalctl -u nbp-agent --no-pager | grep -q "network (reload): the management network would move"'
                echo "reload: $(journalctl -u nbp-agent --no-pager | grep -o 'network (reload): the management network would move from [^:]*' | head -n 1)"
                echo "after the reload: lab0 $(ip -4 -o addr show lab0 | awk '{ print $4 }'), lab0.69 $(ip link show lab0.69 >/dev/null 2>&1 && echo present || echo gone)"
                """;
            (code, stdout, stderr) = await LabHarness.RunOnceAsync(options, ["/bin/bash", "-c", second], TimeSpan.FromMinutes(5), Ct);
            LabHarness.ReportTime("network change pending across a reboot (lab)", DateTime.UtcNow - started);
            Assert.True(code == 0, $"the second boot failed ({code})\n{stdout}\n{stderr}");
            Assert.Equal([
                "booted: nbp-p70 reaches 10.69.0.1",
                "agent started: lab0.70 gone",
                "nbp-p69 reaches 10.69.0.1",
                "nbp-p70 does not reach 10.69.0.1",
                "0",
                "reload: network (reload): the management network would move from 192.168.69.1/24 on lab0 to 192.168.69.5/24 on lab0",
                "after the reload: lab0 192.168.69.1/24, lab0.69 present",
            ], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The apply's last line up to its deadline's time, which changes every run.</summary>
    private static string Shorten(string line)
    {
        var by = line.IndexOf(" by ", StringComparison.Ordinal);
        return by < 0 ? line : line[..by];
    }
}
