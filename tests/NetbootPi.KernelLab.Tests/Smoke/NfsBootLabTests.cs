using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NetbootPi.KernelLab.Tests.Support;

namespace NetbootPi.KernelLab.Tests.Smoke;

/// <summary>
/// A diskless machine boots its own root over NFS (#21), end to end: the box is a lab VM running the published
/// agent with DHCP and <c>--manage-nfs</c>, its roots on an ext4 disk (nfsd exports neither 9p nor overlayfs); the
/// root is made by <c>netbootpi nfsroot create</c> from a Debian template (mmdebstrap, cached); the machine is a
/// second qemu VM on a UDP socket link to the box, booting the lab's Debian kernel with an initramfs made by
/// mkinitramfs (BOOT=nfs) and exactly the command line the agent rendered in its iPXE script. Its init writes
/// <c>/booted</c>, found afterwards in that host's directory on the box. A third VM, another MAC and so another
/// address, booting the same command line, is refused that root.
/// </summary>
public class NfsBootLabTests
{
    private const string BoxMac = "52:54:00:88:00:01";
    private const string Nuc1Mac = "52:54:00:88:00:11";
    private const string Nuc2Mac = "52:54:00:88:00:12";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_machine_boots_its_own_root_over_nfs_with_the_rendered_command_line_and_another_is_refused_it()
    {
        LabHarness.Require();
        var agent = await PublishedAgent.EnsureAsync(Ct);
        var artifacts = await ArtifactsAsync();
        var folder = Directory.CreateTempSubdirectory("netbootpi-nfsboot-").FullName;
        try
        {
            string disk = Path.Combine(folder, "roots.img");
            await using (var file = File.Create(disk)) file.SetLength(1L << 30);
            var (boxPort, nucPort) = (FreeUdpPort(), FreeUdpPort());
            var started = Stopwatch.StartNew();
            await using var box = await LabVm.BootAsync(new LabVmOptions
            {
                Systemd = true,
                Nics = [$"socket,udp=127.0.0.1:{nucPort},localaddr=127.0.0.1:{boxPort},mac={BoxMac}"],
                Disks = [$"{disk},serial=roots"],
                Timeout = TimeSpan.FromMinutes(8),
            }, Ct);

            var setup = await box.ShellAsync(BoxScript(agent, artifacts), Ct, TimeSpan.FromMinutes(6));
            Assert.True(setup.Status == 0, $"setting up the box failed ({setup.Status}):\n{setup.Stdout}\n{setup.Stderr}");
            var cmdline = setup.Stdout.Split('\n').Single(l => l.StartsWith("CMDLINE ", StringComparison.Ordinal))["CMDLINE ".Length..];
            TestContext.Current.TestOutputHelper?.WriteLine($"rendered: {cmdline}");
            Assert.Contains("root=/dev/nfs nfsroot=10.88.0.1:/srv/nfsroots/nuc1,vers=3 ip=dhcp rw boot=nfs", cmdline);

            var nuc1 = await BootMachineAsync(artifacts, cmdline, Nuc1Mac, boxPort, nucPort, folder, "nuc1", box.Accelerator,
                until: null, TimeSpan.FromMinutes(4));
            Assert.True(nuc1.Exited, $"nuc1 did not power off in time; its console:\n{nuc1.Console}");
            var found = await box.ShellAsync("cat /srv/nfsroots/nuc1/booted", Ct);
            Assert.True(found.Status == 0, $"no /booted in nuc1's root; its console:\n{nuc1.Console}");
            Assert.Equal("booted nuc1 from 10.88.0.1:/srv/nfsroots/nuc1\n", found.Stdout);
            TestContext.Current.TestOutputHelper?.WriteLine($"nuc1: booted from its root and powered off in {nuc1.Time.TotalSeconds:F1} s");

            // Another machine (nuc2's MAC, so nuc2's address) with nuc1's command line: mountd refuses it.
            var nuc2 = await BootMachineAsync(artifacts, cmdline, Nuc2Mac, boxPort, nucPort, folder, "nuc2", box.Accelerator,
                until: "denied", TimeSpan.FromMinutes(4));
            Assert.True(nuc2.Matched, $"nuc2 was not refused nuc1's root; its console:\n{nuc2.Console}");
            TestContext.Current.TestOutputHelper?.WriteLine("nuc2: " + nuc2.Console.Split('\n').First(l => l.Contains("denied", StringComparison.OrdinalIgnoreCase)).Trim());
            Assert.Equal("booted nuc1 from 10.88.0.1:/srv/nfsroots/nuc1\n", (await box.ShellAsync("cat /srv/nfsroots/nuc1/booted", Ct)).Stdout);
            LabHarness.ReportTime("nfs boot of a machine and a refused one (lab)", started.Elapsed);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed record Artifacts(string Template, string Initrd, string Kernel);

    private static async Task<Artifacts> ArtifactsAsync()
    {
        string script = Path.Combine(Path.GetDirectoryName(LabHarness.RunScript)!, "nfsroot-artifacts.sh");
        var (code, stdout, stderr) = await Tool.RunAsync(script, [], Ct, TimeSpan.FromMinutes(15));
        if (code == 125) Peers.SkipOrFail(stderr.Trim());
        Assert.True(code == 0, $"{script} failed ({code}):\n{stderr}");
        var values = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        return new Artifacts(values["NFSROOT_TEMPLATE"], values["NFSROOT_INITRD"], values["LAB_KERNEL"]);
    }

    /// <summary>The box: roots on ext4, the kernel and initrd in the data directory, the agent, nuc1's root made; prints the rendered command line.</summary>
    private static string BoxScript(string agent, Artifacts a) => $$"""
        A={{agent}}
        D=/run/nbp-nfsboot; R=/srv/nfsroots
        mkdir -p $D/data/debian $R /etc/exports.d /etc/nfs.conf.d
        mkfs.ext4 -q -F /dev/disk/by-id/virtio-roots
        mount /dev/disk/by-id/virtio-roots $R
        cp {{a.Kernel}} $D/data/debian/vmlinuz
        cp {{a.Initrd}} $D/data/debian/initrd.img
        # systemd's udev names the NIC by its slot: found by its MAC.
        IF=$(ip -o link | awk -F': ' '/{{BoxMac}}/ { print $2; exit }')
        ip addr add 10.88.0.1/24 dev $IF; ip link set $IF up
        cat > $D/site.yaml <<SITE
        site: { name: nfsboot }
        server: { state_dir: $D/state, data_dir: $D/data, network_backend: none }
        networks:
          lan: { interface: $IF, address: 10.88.0.1/24, dhcp: { mode: authoritative, range: 10.88.0.100-10.88.0.199 } }
        profiles:
          debian-nfs:
            kernel: debian/vmlinuz
            initrd: debian/initrd.img
            nfsroot: "$R/{name}"
            console: ttyS0
            cmdline: init=/usr/local/sbin/booted panic=5
        defaults: { profile: none }
        hosts:
          nuc1: { mac: {{Nuc1Mac}}, ip: 10.88.0.11, profile: debian-nfs }
          nuc2: { mac: {{Nuc2Mac}}, ip: 10.88.0.12, profile: debian-nfs }
        SITE
        systemd-run --quiet --unit nbp-nfsboot --collect -p Type=exec $A run --manage-nfs --config $D/site.yaml \
          --no-tftp --http-listen 10.88.0.1:80 --control-socket none
        $A nfsroot create nuc1 --from {{a.Template}} --config $D/site.yaml >&2
        # The machine's own init: says it runs from its NFS root, then powers the machine off.
        cat > $R/nuc1/usr/local/sbin/booted <<'INIT'
        #!/bin/sh
        echo "booted $(cat /etc/hostname) from $(grep -m1 ' / nfs' /proc/mounts | cut -d' ' -f1)" > /booted
        sync
        echo o > /proc/sysrq-trigger
        sleep 60
        INIT
        chmod 755 $R/nuc1/usr/local/sbin/booted
        t=0; until exportfs -s | grep -q "^$R/nuc1 "; do sleep 0.5; t=$((t+1)); [ $t -lt 120 ] || { journalctl -u nbp-nfsboot --no-pager | tail -30 >&2; exit 1; }; done
        echo "CMDLINE $(curl -sf http://10.88.0.1/boot/{{Nuc1Mac}}.ipxe | sed -n 's/^kernel [^ ]* \(.*\) || goto .*/\1/p')"
        """;

    private sealed record Machine(bool Exited, bool Matched, string Console, TimeSpan Time);

    /// <summary>
    /// A diskless machine: the lab kernel, the NFS initramfs, <paramref name="cmdline"/>, one NIC on the box's UDP
    /// link. Waits until it powers off, or (with <paramref name="until"/>) until its console shows that text.
    /// </summary>
    private static async Task<Machine> BootMachineAsync(Artifacts a, string cmdline, string mac, int boxPort, int nucPort,
        string folder, string name, string accelerator, string? until, TimeSpan limit)
    {
        string console = Path.Combine(folder, $"{name}.console");
        var start = new ProcessStartInfo("qemu-system-x86_64") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["-M", "q35", "-accel", accelerator == "kvm" ? "kvm" : "tcg", "-cpu", "max", "-m", "768", "-smp", "1",
                     "-nodefaults", "-display", "none", "-no-reboot",
                     "-kernel", a.Kernel, "-initrd", a.Initrd, "-append", cmdline,
                     "-netdev", $"socket,id=n0,udp=127.0.0.1:{boxPort},localaddr=127.0.0.1:{nucPort}",
                     "-device", $"virtio-net-pci,netdev=n0,mac={mac}",
                     "-serial", $"file:{console}"])
            start.ArgumentList.Add(arg);
        using var qemu = Process.Start(start)!;
        var stderr = qemu.StandardError.ReadToEndAsync(Ct);
        try
        {
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < limit)
            {
                if (qemu.HasExited) return new Machine(true, false, Read(console) + await stderr, deadline.Elapsed);
                if (until is not null && Read(console).Contains(until, StringComparison.OrdinalIgnoreCase))
                    return new Machine(false, true, Read(console), deadline.Elapsed);
                await Task.Delay(500, Ct);
            }
            return new Machine(false, false, Read(console), deadline.Elapsed);
        }
        finally
        {
            if (!qemu.HasExited) qemu.Kill(entireProcessTree: true);
            await qemu.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static string Read(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return new StreamReader(stream).ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            return "";
        }
    }

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
