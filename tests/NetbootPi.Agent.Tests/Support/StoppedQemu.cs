using System.Diagnostics;

namespace NetbootPi.Agent.Tests.Support;

/// <summary>
/// A real qemu with no disk, a q35 machine started stopped (-S), behind a QMP socket: the host a qmp power driver
/// drives. Killed on dispose, whatever the test did to it.
/// </summary>
internal sealed class StoppedQemu : IDisposable
{
    private StoppedQemu(Process process) => Process = process;

    public Process Process { get; }

    /// <summary>Starts it with its QMP socket at <paramref name="socket"/>, once the socket is there (skipped without qemu, failed on CI).</summary>
    public static async Task<StoppedQemu> StartAsync(string socket, CancellationToken cancellation)
    {
        var qemu = Peers.Require("qemu-system-x86_64", "qemu-system-x86");
        var psi = new ProcessStartInfo(qemu) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-M", "q35", "-nodefaults", "-display", "none", "-S", "-qmp", $"unix:{socket},server=on,wait=off"])
            psi.ArgumentList.Add(a);
        var vm = new StoppedQemu(Process.Start(psi)!);
        vm.Process.OutputDataReceived += (_, _) => { };
        vm.Process.ErrorDataReceived += (_, _) => { };
        vm.Process.BeginOutputReadLine();
        vm.Process.BeginErrorReadLine();
        // qemu makes the socket before it runs the machine; a process start is not something a fake clock can stand in for.
        for (var i = 0; i < 500 && !File.Exists(socket) && !vm.Process.HasExited; i++) await Task.Delay(20, cancellation);
        Assert.True(File.Exists(socket), "qemu made no QMP socket within 10 s");
        return vm;
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit(5000);
        }
        Process.Dispose();
    }
}
