using NetbootPi.Agent.Os.Systemd;
using NetbootPi.KernelLab.Tests.Support;

namespace NetbootPi.KernelLab.Tests.Systemd;

/// <summary>
/// <see cref="ISystemdManager.RebootAsync"/> against PID 1 of a systemd-mode VM of its own (a class apart, so that
/// no class run inside the shared VM ever reboots it).
/// </summary>
public class SystemdRebootTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reboot_takes_the_box_down_through_reboot_target()
    {
        if (!LabHarness.IsInside)
        {
            // A VM of its own: the shared one must stay up for the other tests.
            LabHarness.Require();
            string assembly = typeof(SystemdRebootTests).Assembly.Location;
            string dotnet = LabHarness.Dotnet;
            var (code, stdout, stderr) = await LabHarness.RunOnceAsync(["--systemd", "--console", "--env", $"{LabHarness.InsideVariable}=1"],
                [dotnet, "exec", assembly, "-method", $"{typeof(SystemdRebootTests).FullName}.{nameof(Reboot_takes_the_box_down_through_reboot_target)}", "-noColor", "-noLogo"],
                TimeSpan.FromMinutes(5), Ct);
            // -no-reboot turns the guest's reset into the end of qemu: the harness reports the VM stopped, reset by the guest.
            Assert.True(code == 122, $"run.sh exited with {code}, not 122 (the VM stopped)\n{stdout}\n{stderr}");
            Assert.Contains("QMP SHUTDOWN reason guest-reset", stderr);
            Assert.Contains("reboot.target", stderr); // systemd's own console lines on the way down
            return;
        }
        await using var manager = SystemdManager.ForSystemBus(new SystemdManagerOptions { JobTimeout = TimeSpan.FromSeconds(60) });
        await manager.RebootAsync(Ct);
        Console.WriteLine("reboot queued");
        await Task.Delay(TimeSpan.FromMinutes(3), Ct); // systemd stops this job long before
    }
}
