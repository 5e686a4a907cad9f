using System.Globalization;
using NetbootPi.Agent.Consoles;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Power;

/// <summary>
/// Host recovery end to end: two qemu VMs (SeaBIOS and the NIC's iPXE, tests/e2e's kernel and initramfs) boot from
/// the agent in a namespace of their own, both started stopped and powered on through the agent
/// (<c>netbootpi power HOST on</c> over its socket, the QMP driver). One boots a profile whose host never answers
/// the probe: the agent cycles it through QMP up to its limit, each cycle followed by a new boot, and marks it
/// failed. The other answers its probe and is never touched. Real firmware under TCG: about a minute.
/// </summary>
public sealed class RecoveryBootTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_host_that_never_comes_up_is_cycled_to_the_limit_and_a_host_that_does_is_left_alone()
    {
        var qemu = Peers.Require("qemu-system-x86_64", "qemu-system-x86");
        Peers.Require("busybox", "busybox-static");
        using var lab = new NetLab();
        var cache = await E2eArtifactsAsync();
        var ns = lab.Namespace("rec");
        lab.Bridge(ns, "br0", "10.97.0.1/24");
        var data = Directory.CreateDirectory(lab.Path("data/e2e")).FullName;
        File.Copy(Path.Combine(cache, "kernel", "vmlinuz"), Path.Combine(data, "vmlinuz"));
        File.Copy(Path.Combine(cache, "kernel", "initrd.img"), Path.Combine(data, "initrd.img"));
        var site = lab.Path("site.yaml");
        await File.WriteAllTextAsync(site, $$"""
            site: { name: rec, domain: rec.internal }
            server: { state_dir: {{lab.Path("state")}}, data_dir: {{lab.Path("data")}} }
            networks:
              lab: { interface: br0, address: 10.97.0.1/24, dhcp: { mode: authoritative, range: 10.97.0.100-10.97.0.150, lease: 1h } }
            profiles:
              hang:
                kernel: e2e/vmlinuz
                initrd: e2e/initrd.img
                cmdline: console=ttyS0 quiet panic=-1 e2e_mode=hang
                recovery: { boot_timeout: 20s, probe: tcp:22, attempts: 2, backoff: 5s }
              serve:
                kernel: e2e/vmlinuz
                initrd: e2e/initrd.img
                cmdline: console=ttyS0 quiet panic=-1 e2e_mode=serve
                recovery: { boot_timeout: 2m, probe: tcp:22, attempts: 2 }
            defaults: { profile: none }
            hosts:
              stuck: { mac: 52:54:00:97:00:10, ip: 10.97.0.10, profile: hang, power: { driver: qmp, socket: stuck.qmp }, console: { socket: stuck.serial } }
              fine: { mac: 52:54:00:97:00:11, ip: 10.97.0.11, profile: serve, power: { driver: qmp, socket: fine.qmp }, console: { socket: fine.serial } }
            """, Ct);
        var socket = lab.Path("control.sock");
        var agent = AgentProcess.Start(new Dictionary<string, string> { [ControlSocketPath.EnvironmentVariable] = socket },
            [lab.Ip, "netns", "exec", ns], "run", "--config", site, "--no-tftp", "--no-dns");
        using var stop = agent;
        agent.WaitFor("recovery watches 2 hosts: ");
        agent.WaitFor(" ready: ");

        foreach (var (name, mac, tap) in new[] { ("stuck", "52:54:00:97:00:10", "tap0"), ("fine", "52:54:00:97:00:11", "tap1") })
        {
            lab.Tap(ns, tap, "br0");
            // Started stopped (-S): the agent powers it on. No -no-reboot: a cycle (system_reset) must boot it again.
            lab.Start(ns, qemu, "-machine", "q35,accel=tcg", "-cpu", "max", "-m", "256", "-smp", "1", "-display", "none",
                "-serial", $"unix:{lab.Path($"{name}.serial")},server=on,wait=off", "-monitor", "none", "-no-user-config", "-nodefaults", "-S",
                "-qmp", $"unix:{lab.Path($"{name}.qmp")},server=on,wait=off",
                "-netdev", $"tap,id=n0,ifname={tap},script=no,downscript=no", "-device", $"virtio-net-pci,netdev=n0,mac={mac},bootindex=1", "-boot", "n");
        }
        for (var i = 0; i < 500 && !(File.Exists(lab.Path("stuck.qmp")) && File.Exists(lab.Path("fine.qmp"))); i++) await Task.Delay(20, Ct);
        // The agent reads each VM's serial console from before its power-on (it retries until the socket is there).
        agent.WaitFor($"console of stuck: reading socket {lab.Path("stuck.serial")}");
        agent.WaitFor($"console of fine: reading socket {lab.Path("fine.serial")}");

        foreach (var host in new[] { "stuck", "fine" })
        {
            var (code, output, error) = await Tool.RunAsync(AgentProcess.Executable, ["power", host, "on", "--socket", socket], Ct);
            Assert.True(code == 0, $"power {host} on: {output}{error}");
            Assert.Equal($"{host}: on (was prelaunch, now running)\n", output);
        }

        // 20 s per boot, a cycle, 20 s, 5 s of back-off, a cycle, 20 s: about a minute; the rest is margin for a loaded machine.
        var events = await WaitForEventAsync(lab.Path("state"), e => e is { Host: "stuck", Kind: BootEventKind.Recovery, Status: 1 }, TimeSpan.FromMinutes(4));
        var stuck = events.Where(e => e.Host == "stuck").ToList();
        var steps = stuck.Where(e => e.Kind is BootEventKind.Recovery or BootEventKind.Power).Select(e => $"{e.Client} {e.Path}").ToList();
        // A cycle and the failure quote what the host's console said last: here the initramfs's marker.
        const string Console = @"; its console's last line, \d+s before: ""E2E-HANG 52:54:00:97:00:10""$";
        Assert.Collection(steps,
            s => Assert.Equal("uid:0 on: on (was prelaunch, now running)", s),
            s => Assert.Matches("^recovery probe tcp:22 not answering 20s after power-on → cycle 1/2" + Console, s),
            s => Assert.Equal("recovery cycle: cycled: system_reset", s),
            s => Assert.Equal("recovery probe tcp:22 not answering 20s after power-on: cycle 2/2 in 5s", s),
            s => Assert.Matches("^recovery probe tcp:22 not answering 20s after power-on → cycle 2/2" + Console, s),
            s => Assert.Equal("recovery cycle: cycled: system_reset", s),
            s => Assert.Matches(@"^recovery probe tcp:22 not answering 20s after power-on: marked failed after 2 power cycles \(left alone until it comes up or is powered through the box\)" + Console, s));
        // Each cycle booted it again: a DHCP exchange and a kernel fetch after every power action.
        var powers = stuck.Select((e, i) => (e, i)).Where(x => x.e.Kind == BootEventKind.Power).Select(x => x.i).ToList();
        foreach (var (start, next) in powers.Zip(powers.Skip(1).Append(stuck.Count)))
        {
            var between = stuck.Skip(start + 1).Take(next - start - 1).Select(e => e.Kind).ToList();
            Assert.Contains(BootEventKind.Dhcp, between);
            Assert.Contains(BootEventKind.Kernel, between);
        }
        // Its console, as the box recorded it (a quiet kernel: the initramfs's lines): three boots, each to its marker.
        var console = ConsoleLog.Tail(lab.Path("state"), "stuck", 10_000);
        Assert.Equal(3, console.Count(l => l.Contains(" E2E-DHCP 52:54:00:97:00:10 10.97.0.10 ", StringComparison.Ordinal)));
        Assert.Equal(3, console.Count(l => l.EndsWith(" E2E-HANG 52:54:00:97:00:10", StringComparison.Ordinal)));

        // The host that answers was seen up once and never power-cycled by the box.
        var fine = events.Where(e => e.Host == "fine").ToList();
        var up = Assert.Single(fine, e => e.Kind == BootEventKind.Recovery);
        Assert.StartsWith("up: probe tcp:22 answered ", up.Path, StringComparison.Ordinal);
        Assert.EndsWith(" after power-on", up.Path, StringComparison.Ordinal);
        Assert.Equal(["uid:0 on: on (was prelaunch, now running)"], fine.Where(e => e.Kind == BootEventKind.Power).Select(e => $"{e.Client} {e.Path}"));

        var (rc, table, _) = await Tool.RunAsync(AgentProcess.Executable, ["recovery", "--socket", socket], Ct);
        Assert.Equal(0, rc);
        var rows = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^fine\s+up\s+\S+\s+0/2$", rows.Single(r => r.StartsWith("fine", StringComparison.Ordinal)));
        Assert.Matches(@"^stuck\s+failed\s+\S+\s+2/2\s+probe tcp:22 not answering 20s after power-on$", rows.Single(r => r.StartsWith("stuck", StringComparison.Ordinal)));
    }

    /// <summary>tests/e2e/artifacts.sh: the e2e kernel and initramfs, built once and cached.</summary>
    private static async Task<string> E2eArtifactsAsync()
    {
        var script = Path.Combine(Site.SiteText.RepoRoot, "tests", "e2e", "artifacts.sh");
        var (code, output, error) = await Tool.RunAsync("bash", [script], Ct, TimeSpan.FromMinutes(5));
        Assert.True(code == 0, $"tests/e2e/artifacts.sh failed: {error}");
        return output.Trim();
    }

    /// <summary>The events in the state directory, once one matches <paramref name="done"/> (or the limit passes: then fails with what there was).</summary>
    private static async Task<List<BootEvent>> WaitForEventAsync(string state, Func<BootEvent, bool> done, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        while (true)
        {
            var events = BootEventLog.ReadFiles(state).ToList();
            if (events.Any(done)) return events;
            if (DateTime.UtcNow > until)
                Assert.Fail($"not within {limit.TotalMinutes.ToString(CultureInfo.InvariantCulture)} min; events:\n{string.Join('\n', events)}");
            // A real VM under emulation: its boot is not something a fake clock can stand in for.
            await Task.Delay(500, Ct);
        }
    }
}
