using NetbootPi.KernelLab.Tests.Support;

namespace NetbootPi.KernelLab.Tests.Lab;

/// <summary>The harness in systemd mode, through the shared VM: the boot, and jobs one after another.</summary>
[Collection(SystemdLabCollection.Name)]
public class SystemdModeTests(SystemdLabFixture lab)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Boots_to_running_with_systemd_as_PID_1_the_system_bus_and_networkd()
    {
        var vm = await lab.VmAsync(Ct);
        LabHarness.ReportTime($"systemd boot to running ({vm.Accelerator})", vm.BootTime);

        Assert.True(vm.State == "running", $"systemd says '{vm.State}', not 'running'\n{vm.HarnessOutput}");
        var result = (await vm.ShellAsync("""
            cat /proc/1/comm
            systemctl is-active dbus.service systemd-networkd.service
            systemctl is-system-running
            test -S /run/dbus/system_bus_socket && echo system-bus
            uname -r
            """, Ct)).EnsureSuccess();
        Assert.Equal(["systemd", "active", "active", "running", "system-bus"], result.Stdout.Split('\n')[..5]);
        Assert.Matches(@"^6\.1\.\d+-\d+-amd64$", result.Stdout.Split('\n')[5]);
    }

    [Fact]
    public async Task Jobs_in_one_VM_get_their_arguments_environment_and_folder_and_give_back_their_status()
    {
        var vm = await lab.VmAsync(Ct);

        var first = await vm.RunAsync(["/bin/sh", "-c", "printf '%s|' \"$@\"; echo \"$GREETING in $PWD\" >&2; echo made > \"$LAB_JOB_DIR/made\"; exit 3",
            "sh", "a b", "c\nd", "", "é"], Ct, new Dictionary<string, string> { ["GREETING"] = "hello world" }, "/usr");
        var second = await vm.RunAsync(["/bin/true"], Ct);

        Assert.Equal(3, first.Status);
        Assert.Equal("a b|c\nd||é|", first.Stdout);
        Assert.Equal("hello world in /usr\n", first.Stderr);
        // The job's folder is on the run's share: written there, read here at the same path.
        Assert.Equal("made\n", File.ReadAllText(Path.Combine(first.JobDirectory, "made")));
        Assert.Equal(0, second.Status);
    }

    [Fact]
    public async Task The_freshly_built_agent_runs_in_the_VM_from_its_path_here()
    {
        var vm = await lab.VmAsync(Ct);
        // Built into this test's output folder with the rest of the solution; the VM sees this machine's root.
        string agent = Path.Combine(AppContext.BaseDirectory, "netbootpi");
        var (code, here, err) = await Tool.RunAsync(agent, ["--version"], Ct);
        Assert.True(code == 0, err);

        var there = (await vm.RunAsync([agent, "--version"], Ct)).EnsureSuccess();

        Assert.Equal(here, there.Stdout);
    }
}
