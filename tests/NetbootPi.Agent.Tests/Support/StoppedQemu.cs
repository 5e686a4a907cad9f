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
        // qemu makes the socket before it runs the machine, and listens on it a moment after the file appears (a
        // connect in between is refused: a CI run read that as "no qemu listens"): ready once the kernel lists it as
        // listening. A process start is not something a fake clock can stand in for.
        for (var i = 0; i < 500 && !Listens(socket) && !vm.Process.HasExited; i++) await Task.Delay(20, cancellation);
        Assert.True(Listens(socket), "qemu did not listen on its QMP socket within 10 s");
        return vm;
    }

    /// <summary>
    /// Whether a socket listens at <paramref name="socket"/>, as the kernel lists it (<c>/proc/net/unix</c>: flags
    /// 00010000, __SO_ACCEPTCON). Not by connecting: QMP's backlog is one, and a probe's connection still waiting to be
    /// accepted made the driver's own connect fail with EAGAIN.
    /// </summary>
    private static bool Listens(string socket) =>
        File.Exists(socket) && File.ReadLines("/proc/net/unix").Skip(1)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Any(f => f.Length >= 8 && f[3] == "00010000" && f[7] == socket);

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
