using System.Diagnostics;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.KernelLab.Tests.Support;

namespace NetbootPi.KernelLab.Tests.Systemd;

/// <summary>
/// <see cref="ISystemdManager"/> against the real system manager: PID 1 of a systemd-mode lab VM, on the system
/// bus, through <see cref="SystemdManager.ForSystemBus"/> as the agent uses it on the Pi. These tests run inside
/// the VM (the host runs this class there once, and reports each test's result); units go into /etc, which is
/// the VM's own (an overlay).
/// </summary>
[Collection(SystemdLabCollection.Name)]
public class SystemdOnSystemBusTests(SystemdLabFixture lab)
{
    private const string UnitFolder = "/etc/systemd/system";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SystemdManager CreateManager() =>
        SystemdManager.ForSystemBus(new SystemdManagerOptions { JobTimeout = TimeSpan.FromSeconds(60) });

    [Fact]
    public async Task Starts_restarts_stops_enables_and_disables_a_unit_file_of_the_system_manager()
    {
        if (!LabHarness.IsInside) { await lab.RunInsideAsync(); return; }

        Assert.Equal("systemd", File.ReadAllText("/proc/1/comm").Trim());
        const string unit = "nbp-lab-sleep.service";
        string file = Path.Combine(UnitFolder, unit);
        await using var manager = CreateManager();
        try
        {
            File.WriteAllText(file, """
                [Unit]
                Description=NetbootPi lab test: a long-running service
                [Service]
                ExecStart=/bin/sleep infinity
                [Install]
                WantedBy=multi-user.target
                """);
            await manager.ReloadAsync(Ct);
            Assert.Equal(new UnitState("loaded", "inactive", "dead"), await manager.GetUnitStateAsync(unit, Ct));

            await manager.StartUnitAsync(unit, Ct);
            Assert.Equal(new UnitState("loaded", "active", "running"), await manager.GetUnitStateAsync(unit, Ct));
            int first = Assert.Single(ProcessesOf(unit));

            await manager.RestartUnitAsync(unit, Ct);
            int second = Assert.Single(ProcessesOf(unit));
            Assert.NotEqual(first, second);

            // Without ExecReload, reload-or-restart restarts.
            await manager.ReloadOrRestartUnitAsync(unit, Ct);
            Assert.NotEqual(second, Assert.Single(ProcessesOf(unit)));

            await manager.StopUnitAsync(unit, Ct);
            Assert.Equal(new UnitState("loaded", "inactive", "dead"), await manager.GetUnitStateAsync(unit, Ct));
            Assert.Empty(ProcessesOf(unit));

            string wants = Path.Combine(UnitFolder, "multi-user.target.wants", unit);
            var enabled = await manager.EnableUnitFilesAsync([unit], Ct);
            Assert.Equal([new UnitFileChange("symlink", wants, file)], enabled);
            Assert.Equal(file, new FileInfo(wants).LinkTarget);

            var disabled = await manager.DisableUnitFilesAsync([unit], Ct);
            Assert.Equal([new UnitFileChange("unlink", wants, "")], disabled);
            Assert.False(File.Exists(wants));
        }
        finally
        {
            // No daemon-reload (3.5 s under emulation): systemd unloads an inactive unit nobody refers to by itself.
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_failing_start_throws_naming_the_unit_and_the_job_result()
    {
        if (!LabHarness.IsInside) { await lab.RunInsideAsync(); return; }

        const string unit = "nbp-lab-fail.service";
        string file = Path.Combine(UnitFolder, unit);
        await using var manager = CreateManager();
        try
        {
            // A unit file never referred to before loads on first use, without a daemon-reload.
            File.WriteAllText(file, "[Service]\nType=oneshot\nExecStart=/bin/false\n");

            var e = await Assert.ThrowsAsync<SystemdException>(() => manager.StartUnitAsync(unit, Ct));

            Assert.Equal(("start", unit, "failed"), (e.Operation, e.Unit, e.JobResult));
            Assert.Contains(unit, e.Message);
            Assert.Equal(new UnitState("loaded", "failed", "failed"), await manager.GetUnitStateAsync(unit, Ct));
        }
        finally
        {
            Systemctl("reset-failed", unit);
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Reload_or_restart_reloads_a_running_service_that_can_reload()
    {
        if (!LabHarness.IsInside) { await lab.RunInsideAsync(); return; }

        const string unit = "nbp-lab-reload.service";
        string file = Path.Combine(UnitFolder, unit);
        const string marker = "/run/nbp-lab-reloaded";
        await using var manager = CreateManager();
        try
        {
            File.Delete(marker);
            File.WriteAllText(file, $"""
                [Service]
                ExecStart=/bin/sleep infinity
                ExecReload=/bin/touch {marker}
                """);
            await manager.StartUnitAsync(unit, Ct);
            int pid = Assert.Single(ProcessesOf(unit));

            await manager.ReloadOrRestartUnitAsync(unit, Ct);

            Assert.True(File.Exists(marker), "ExecReload did not run");
            Assert.Equal(pid, Assert.Single(ProcessesOf(unit)));
        }
        finally
        {
            await manager.StopUnitAsync(unit, CancellationToken.None);
            File.Delete(file);
            File.Delete(marker);
        }
    }

    // A system service's processes: its cgroup below system.slice (the VM has the unified cgroup hierarchy).
    private static IReadOnlyList<int> ProcessesOf(string unit)
    {
        string procs = Path.Combine("/sys/fs/cgroup/system.slice", unit, "cgroup.procs");
        return File.Exists(procs) ? [.. File.ReadAllLines(procs).Where(l => l.Length > 0).Select(int.Parse)] : [];
    }

    private static void Systemctl(params string[] args)
    {
        using var p = Process.Start("systemctl", args);
        p.WaitForExit(TimeSpan.FromSeconds(30));
    }
}
