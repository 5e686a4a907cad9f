using NetbootPi.KernelLab.Tests.Support;

namespace NetbootPi.KernelLab.Tests.Smoke;

/// <summary>
/// The site's NFS exports against real kernel nfsd (#21), in the shared systemd VM (no boot of its own): the agent
/// runs with <c>--manage-nfs</c>, writes /etc/exports.d/netbootpi.exports and starts nfs-server.service over D-Bus;
/// the roots are on the ext4 scratch disk; "hosts" are network namespaces on a bridge, each with the address the
/// site gives it (or one it does not), and every proof is a mount.
/// </summary>
[Collection(SystemdLabCollection.Name)]
public class NfsExportsLabTests(SystemdLabFixture lab)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_host_mounts_its_own_root_read_write_another_address_is_refused_and_the_shared_root_is_read_only()
    {
        var agent = await PublishedAgent.EnsureAsync(Ct);
        var script = $$"""
            A={{agent}}
            R=/srv/nbp-roots
            D=$(mktemp -d /tmp/nbp-nfs.XXXXXX)
            cleanup() {
              nft delete table inet netbootpi 2>/dev/null || true
              for n in nbp-nuc1 nbp-nuc2 nbp-guest nbp-stranger; do ip netns del $n 2>/dev/null || true; done
              ip link del nbp-nfsbr 2>/dev/null || true
              systemctl kill -s KILL nbp-agent 2>/dev/null || true
              systemctl stop nbp-agent 2>/dev/null || true; systemctl reset-failed nbp-agent 2>/dev/null || true
              rm -f /etc/exports.d/netbootpi.exports /etc/nfs.conf.d/netbootpi.conf
              exportfs -ra 2>/dev/null || true
              systemctl stop nfs-server.service 2>/dev/null || true
              umount $R 2>/dev/null || true
              rm -rf $D
            }
            trap cleanup EXIT
            mkfs.ext4 -q -F /dev/disk/by-id/virtio-scratch
            mkdir -p $R /etc/exports.d /etc/nfs.conf.d
            mount /dev/disk/by-id/virtio-scratch $R
            mkdir -p $R/template/etc $R/nuc1/etc $R/kiosk
            echo template > $R/template/etc/hostname
            echo kiosk > $R/kiosk/motd

            echo "at $SECONDS s: The box on a bridge; each machine a na" >&2
            # The box on a bridge; each machine a namespace with a veth into it.
            ip link add nbp-nfsbr type bridge; ip addr add 10.77.0.1/24 dev nbp-nfsbr; ip link set nbp-nfsbr up
            i=0
            echo "at $SECONDS s: The stranger is on the same wire in a " >&2
            # The stranger is on the same wire in a subnet the site does not have: only the firewall keeps it out.
            ip addr add 10.78.0.1/24 dev nbp-nfsbr
            for n in nbp-nuc1:10.77.0.11 nbp-nuc2:10.77.0.12 nbp-guest:10.77.0.150 nbp-stranger:10.78.0.9; do
              ns=${n%%:*}; ip=${n#*:}; i=$((i+1))
              ip netns add $ns; ip -n $ns link set lo up
              ip link add nbp-nfsv$i type veth peer name eth0 netns $ns
              ip link set nbp-nfsv$i master nbp-nfsbr up
              ip -n $ns addr add $ip/24 dev eth0; ip -n $ns link set eth0 up
            done

            cat > $D/site.yaml <<SITE
            site: { name: nfslab }
            server: { state_dir: $D/state, data_dir: $D/data, network_backend: none }
            networks:
              lan: { interface: nbp-nfsbr, address: 10.77.0.1/24, dhcp: { mode: authoritative, range: 10.77.0.100-10.77.0.199 } }
            profiles:
              own:   { kernel: k/vmlinuz, nfsroot: "$R/{name}" }
              kiosk: { kernel: k/vmlinuz, nfsroot: $R/kiosk, nfsroot_mode: shared-ro }
            defaults: { profile: kiosk }
            hosts:
              nuc1: { mac: 02:00:00:00:77:01, ip: 10.77.0.11, profile: own }
              nuc2: { mac: 02:00:00:00:77:02, ip: 10.77.0.12, profile: own }
            SITE

            wait_for() { local t=0; until eval "$1"; do sleep 0.5; t=$((t+1)); [ $t -lt 120 ] || { echo "timed out: $1" >&2; journalctl -u nbp-agent -u nfs-server --no-pager | tail -30 >&2; exit 1; }; done; }
            echo "at $SECONDS s: In the machine's namespace (a mount th" >&2
            # In the machine's namespace (a mount there ends with the command: ip netns exec has a mount namespace of its own).
            on() { ip netns exec "$@"; }
            M="mkdir -p /mnt/nbp; mount -t nfs -o vers=3,nolock,soft,noac,timeo=30,retrans=2"

            echo "at $SECONDS s: nfsd already running, its mountd on a " >&2
            # nfsd already running, its mountd on a port of its own choosing: the agent pins it and restarts mountd.
            systemctl start nfs-server.service
            mountd_port() { rpcinfo -p 127.0.0.1 | awk '$5 == "mountd" && $3 == "tcp" { print $4; exit }'; }
            [ "$(mountd_port)" != 20048 ] && echo "mountd before: a port of its own"
            echo "at $SECONDS s: Sandboxed as image/netbootpi.service h" >&2
            # Sandboxed as image/netbootpi.service has it: exportfs writes only where the unit lets it.
            systemd-run --quiet --unit nbp-agent --collect -p Type=exec -p ProtectSystem=strict \
              -p "ReadWritePaths=/etc/exports.d /etc/nfs.conf.d /var/lib/nfs $D" $A run --manage-nfs --config $D/site.yaml \
              --no-dhcp --no-tftp --http-listen 127.0.0.1:0 --control-socket none
            wait_for 'systemctl is-active -q nfs-server.service && exportfs -s | grep -q kiosk && [ "$(mountd_port)" = 20048 ]'
            echo "mountd after: $(mountd_port)"
            echo "exports: $(exportfs -s | awk '{print $1}' | LC_ALL=C sort | tr '\n' ' ')"
            exportfs -s | grep -q "$R/nuc1 .*10.77.0.11(.*rw,.*no_root_squash" && echo "nuc1: rw, no_root_squash, to 10.77.0.11 only"

            on nbp-nuc1 sh -c "$M 10.77.0.1:$R/nuc1 /mnt/nbp && echo from-nuc1 > /mnt/nbp/etc/written && echo 'nuc1 writes its root'"
            echo "on the box: $(cat $R/nuc1/etc/written), owner uid $(stat -c %u $R/nuc1/etc/written)"
            $A show host nuc1 --config $D/site.yaml | grep -o 'present, .*' | sed 's/present, [0-9]* files, [0-9.]* MiB/present/'
            on nbp-nuc2 sh -c "$M 10.77.0.1:$R/nuc1 /mnt/nbp" 2>$D/err && echo "nuc2 mounted nuc1's root" || echo "nuc2 refused nuc1's root: $(grep -o 'access denied by server' $D/err | head -1)"
            on nbp-guest sh -c "$M 10.77.0.1:$R/nuc1 /mnt/nbp" 2>$D/err && echo "guest mounted nuc1's root" || echo "guest refused nuc1's root: $(grep -o 'access denied by server' $D/err | head -1)"
            on nbp-guest sh -c "$M 10.77.0.1:$R/kiosk /mnt/nbp && cat /mnt/nbp/motd && { touch /mnt/nbp/x 2>$D/err && echo 'guest wrote the kiosk root' || echo \"guest cannot write: \$(grep -o 'Read-only file system' $D/err)\"; }"

            echo "at $SECONDS s: nuc2's root did not exist when it was " >&2
            # nuc2's root did not exist when it was exported; made now, it mounts without another exportfs.
            $A nfsroot create nuc2 --from $R/template --config $D/site.yaml | tail -n 1
            on nbp-nuc2 sh -c "$M 10.77.0.1:$R/nuc2 /mnt/nbp && echo \"nuc2 mounts its new root: \$(cat /mnt/nbp/etc/hostname)\""

            echo "at $SECONDS s: The box's firewall as the site renders" >&2
            # The box's firewall as the site renders it (the nft file of `netbootpi plan`, loaded as the agent would):
            # the exports' clients still mount, through rpcbind and mountd's pinned port; the stranger gets no answer.
            ip netns exec nbp-stranger timeout -s KILL 8 rpcinfo -p 10.78.0.1 >/dev/null && echo "stranger before the firewall: rpcbind answers"
            sed 's/network_backend: none/network_backend: networkd/' $D/site.yaml > $D/fw.yaml; mkdir -p $D/nd $D/nc
            $A plan --config $D/fw.yaml --networkd-dir $D/nd --netctl-dir $D/nc --nft-file $D/fw.nft --exports-file $D/x --nfs-conf-file $D/y \
              | awk -v f="+++ $D/fw.nft" '$0 == f { on = 1; next } on && /^(--- |# then)/ { on = 0 } on && /^\+/ { print substr($0, 2) }' > $D/rules.nft
            nft -f $D/rules.nft
            grep -c 'dport { 111, 2049, 20048 }' $D/rules.nft | sed 's/^/firewall: NFS rules: /'
            echo "at $SECONDS s: firewall loaded" >&2
            on nbp-nuc2 sh -c "mkdir -p /mnt/nbp; mount -t nfs -o vers=3,nolock,soft,noac,timeo=30,retrans=2 10.77.0.1:$R/nuc2 /mnt/nbp && echo 'nuc2 mounts its root through the firewall'"
            echo "at $SECONDS s: mounted" >&2
            ip netns exec nbp-stranger timeout -s KILL 8 rpcinfo -p 10.78.0.1 >/dev/null 2>&1 && echo "stranger: rpcbind answers" || echo "stranger behind the firewall: no answer"

            echo "at $SECONDS s: An export that goes away under a mount" >&2
            # An export that goes away under a mounted client: nuc1 leaves the site while its root is mounted.
            on nbp-nuc1 sh -c "
              $M 10.77.0.1:$R/nuc1 /mnt/nbp && cat /mnt/nbp/etc/written
              sed -i '/nuc1:/d' $D/site.yaml && systemctl kill -s HUP nbp-agent
              t=0; while grep -q '$R/nuc1 ' /etc/exports.d/netbootpi.exports; do sleep 0.5; t=\$((t+1)); [ \$t -lt 60 ] || exit 1; done
              t=0; while exportfs -s | grep -q '$R/nuc1 '; do sleep 0.5; t=\$((t+1)); [ \$t -lt 60 ] || exit 1; done
              if timeout 30 cat /mnt/nbp/etc/written 2>$D/err; then echo 'nuc1 still reads its root'; else echo \"nuc1 after its export went: \$(sed 's/.*: //' $D/err | head -1)\"; fi
              umount -f /mnt/nbp 2>/dev/null || true"
            """;
        // The shared VM boots (if no test has booted it yet) before the clock starts: the time is this test's own.
        (await lab.ShellAsync("true", Ct)).EnsureSuccess();
        var started = DateTime.UtcNow;
        var result = await lab.ShellAsync(script, Ct, TimeSpan.FromMinutes(4));
        LabHarness.ReportTime("nfs exports from the site (lab)", DateTime.UtcNow - started);
        TestContext.Current.TestOutputHelper?.WriteLine(result.Stderr);
        result.EnsureSuccess();
        Assert.Equal([
            "mountd before: a port of its own",
            "mountd after: 20048",
            "exports: /srv/nbp-roots/kiosk /srv/nbp-roots/nuc1 /srv/nbp-roots/nuc2 ",
            "nuc1: rw, no_root_squash, to 10.77.0.11 only",
            "nuc1 writes its root",
            "on the box: from-nuc1, owner uid 0",
            "present; exported rw to 10.77.0.11 (live)",
            "nuc2 refused nuc1's root: access denied by server",
            "guest refused nuc1's root: access denied by server",
            "kiosk",
            "guest cannot write: Read-only file system",
            "/srv/nbp-roots/nuc2 is nuc2's root",
            "nuc2 mounts its new root: nuc2",
            "stranger before the firewall: rpcbind answers",
            "firewall: NFS rules: 2",
            "nuc2 mounts its root through the firewall",
            "stranger behind the firewall: no answer",
            "from-nuc1",
            "nuc1 after its export went: Stale file handle",
        ], result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
