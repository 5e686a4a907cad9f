using System.Diagnostics;
using NetbootPi.Agent.Cli;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Power;
using NetbootPi.Agent.Tests.Support;
using NetbootPi.Hardware.Power;

namespace NetbootPi.Agent.Tests.Power;

/// <summary>
/// The QMP driver against a real qemu (no disk: a q35 machine started stopped with -S), and <c>netbootpi power</c>
/// on a site whose host is that VM. The VM is killed on every path.
/// </summary>
public sealed class QmpPowerTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-qmp-").FullName;
    private StoppedQemu? _qemu;

    private string Socket => Path.Combine(_dir, "vm.qmp");

    private async Task StartVmAsync() => _qemu = await StoppedQemu.StartAsync(Socket, Ct);

    private string Site()
    {
        var path = Path.Combine(_dir, "site.yaml");
        File.WriteAllText(path, $$"""
            site: { name: lab, domain: lab.internal }
            server: { state_dir: {{Path.Combine(_dir, "state")}} }
            networks:
              lan: { interface: eth0, address: 10.9.0.1/24 }
            profiles:
              p: { local: true }
            defaults: { profile: p }
            hosts:
              vm: { mac: 52:54:00:00:00:01, ip: 10.9.0.10, power: { driver: qmp, socket: vm.qmp } }
            """);
        return path;
    }

    [Fact]
    public async Task A_stopped_VM_is_off_on_runs_it_reset_resets_it_and_force_off_quits_it()
    {
        await StartVmAsync();
        using var driver = new QmpPowerDriver(Socket);
        Assert.Equal(new PowerReply(true, PowerState.Off, "off (prelaunch)"), await driver.RunAsync(PowerAction.Status, Ct));
        Assert.Equal(new PowerReply(true, PowerState.On, "on (was prelaunch, now running)"), await driver.RunAsync(PowerAction.On, Ct));
        Assert.Equal(new PowerReply(true, PowerState.On, "on (running)"), await driver.RunAsync(PowerAction.Status, Ct));
        Assert.Equal(new PowerReply(true, PowerState.On, "already on (running)"), await driver.RunAsync(PowerAction.On, Ct));
        Assert.Equal(new PowerReply(true, PowerState.On, "reset (system_reset)"), await driver.RunAsync(PowerAction.Reset, Ct));
        Assert.StartsWith("ACPI power button pressed", (await driver.RunAsync(PowerAction.Off, Ct)).Message, StringComparison.Ordinal);
        Assert.Equal(new PowerReply(true, PowerState.Off, "off: qemu quit (the VM's process ended)"), await driver.RunAsync(PowerAction.ForceOff, Ct));
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await _qemu!.Process.WaitForExitAsync(timeout.Token);
        }
        var after = await driver.RunAsync(PowerAction.Status, Ct);
        Assert.Equal((true, PowerState.Off), (after.Succeeded, after.State));
        Assert.Contains($"no qemu listens on {Socket}", after.Message, StringComparison.Ordinal);
        var on = await driver.RunAsync(PowerAction.On, Ct);
        Assert.False(on.Succeeded);
        Assert.Contains("start the VM first", on.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_power_command_drives_the_VM_and_writes_each_action_as_a_boot_event()
    {
        await StartVmAsync();
        var site = Site();
        async Task<(int, string, string)> Power(params string[] args)
        {
            using var o = new StringWriter();
            using var e = new StringWriter();
            var code = await CommandLine.RunAsync(["power", "--direct", .. args, "--config", site], o, e, Ct);
            return (code, o.ToString(), e.ToString());
        }
        Assert.Equal((0, "vm: off (prelaunch)\n", ""), await Power("vm", "status"));
        Assert.Equal((0, "vm: on (was prelaunch, now running)\n", ""), await Power("vm", "on"));
        Assert.Equal((0, "vm: cycled: system_reset\n", ""), await Power("vm", "cycle"));
        Assert.Equal((0, "vm: off: qemu quit (the VM's process ended)\n", ""), await Power("vm", "off", "--force"));
        // The VM's process is gone: status says off, on says what the box cannot do, and that failure is an event too.
        Assert.Equal(0, (await Power("vm", "status")).Item1);
        Assert.Equal(1, (await Power("vm", "on")).Item1);
        var (code, _, err) = await Power("vm", "reset", "--force");
        Assert.Equal((2, "netbootpi: --force goes with off only\n"), (code, err));

        var events = BootEventLog.ReadFiles(Path.Combine(_dir, "state")).Where(e => e.Kind == BootEventKind.Power).ToList();
        Assert.Equal(["on: on (was prelaunch, now running)", "cycle: cycled: system_reset", "off --force: off: qemu quit (the VM's process ended)",
            $"on: no qemu listens on {Socket} (the VM's process is not running; the box cannot start a qemu process, start the VM first)"],
            events.Select(e => e.Path));
        Assert.Equal([0, 0, 0, 1], events.Select(e => e.Status));
        Assert.All(events, e => Assert.Equal("vm", e.Host));
    }

    [Fact]
    public async Task A_host_without_power_wiring_or_an_unknown_host_is_told_so()
    {
        var site = Site();
        File.WriteAllText(site, File.ReadAllText(site).Replace(", power: { driver: qmp, socket: vm.qmp }", "", StringComparison.Ordinal));
        using var o = new StringWriter();
        using var e = new StringWriter();
        Assert.Equal(1, await CommandLine.RunAsync(["power", "--direct", "vm", "on", "--config", site], o, e, Ct));
        Assert.Equal($"netbootpi: host vm ({site}:9:3) has no power: wiring (add power: {{ driver: ... }}; docs/power.md)\n", e.ToString());
        using var e2 = new StringWriter();
        Assert.Equal(1, await CommandLine.RunAsync(["power", "--direct", "vmm", "on", "--config", site], o, e2, Ct));
        Assert.Equal($"netbootpi: no host named 'vmm' in {site} (did you mean 'vm'?)\n", e2.ToString());
    }

    public void Dispose()
    {
        _qemu?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
