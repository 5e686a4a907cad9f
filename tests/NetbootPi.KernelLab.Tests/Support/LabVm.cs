using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;

namespace NetbootPi.KernelLab.Tests.Support;

/// <summary>
/// A lab VM that stays up and runs jobs one after another: <c>run.sh --serve</c>, which boots it, then takes
/// "RUN ID" lines on its stdin for jobs put into the run's share and answers "DONE ID STATUS" (see run.sh and
/// guest/runner.sh). A job's arguments travel NUL-separated in a file, so they arrive unchanged.
/// </summary>
/// <remarks>
/// A job that does not finish within its limit leaves the VM in a state nobody knows: the VM is stopped and
/// <see cref="IsAlive"/> turns false (a fixture boots a new one). Dispose stops the VM; run.sh removes its
/// folder and kills qemu on every exit path, and stops by itself when this process dies.
/// </remarks>
internal sealed class LabVm : IAsyncDisposable
{
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stderr = new();
    private readonly LabVmOptions _options;
    private readonly SemaphoreSlim _oneJob = new(1, 1);
    private readonly Task _stderrPump;
    private int _jobs;
    private bool _broken;

    private LabVm(Process process, LabVmOptions options)
    {
        _process = process;
        _options = options;
        _ = PumpAsync(process.StandardOutput, line => _lines.Writer.TryWrite(line), () => _lines.Writer.TryComplete());
        _stderrPump = PumpAsync(process.StandardError, line => { lock (_stderr) _stderr.AppendLine(line); }, () => { });
    }

    /// <summary>"fast" or "systemd".</summary>
    public string Mode { get; private set; } = "";

    /// <summary>"running" once systemd's boot has finished cleanly; systemd's state otherwise (fast mode: "running").</summary>
    public string State { get; private set; } = "";

    /// <summary>From qemu's start to the job runner being ready (systemd mode: the boot has finished).</summary>
    public TimeSpan BootTime { get; private set; }

    /// <summary>"tcg" or "kvm".</summary>
    public string Accelerator { get; private set; } = "";

    /// <summary>The run's share: read-write on both sides, at the same path here and in the VM.</summary>
    public string Share { get; private set; } = "";

    public bool IsAlive => !_broken && !_process.HasExited;

    /// <summary>What run.sh said on stderr so far (its messages, the console's tail when the VM failed).</summary>
    public string HarnessOutput
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    public static async Task<LabVm> BootAsync(LabVmOptions options, CancellationToken cancellation)
    {
        LabHarness.Require();
        var start = new ProcessStartInfo(LabHarness.RunScript)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in options.ToArguments()) start.ArgumentList.Add(a);
        start.ArgumentList.Add("--serve");
        var vm = new LabVm(Process.Start(start) ?? throw new InvalidOperationException($"{LabHarness.RunScript} did not start"), options);
        try
        {
            // READY MODE STATE BOOT_SECONDS ACCEL SHARE
            string line = await vm.NextLineAsync(options.Timeout + Margin, "booting", cancellation);
            string[] f = line.Split(' ', 6);
            if (f.Length != 6 || f[0] != "READY")
                throw await vm.EndedAsync($"the lab VM did not boot: {line}");
            (vm.Mode, vm.State, vm.Accelerator, vm.Share) = (f[1], f[2], f[4], f[5]);
            vm.BootTime = TimeSpan.FromSeconds(double.Parse(f[3], CultureInfo.InvariantCulture));
            return vm;
        }
        catch
        {
            await vm.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="command"/> as root in the VM, in <paramref name="workingDirectory"/> (default /),
    /// with <paramref name="environment"/> added, and returns its status and output. Jobs run one at a time.
    /// </summary>
    public async Task<LabResult> RunAsync(IReadOnlyList<string> command, CancellationToken cancellation,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null, TimeSpan? limit = null)
    {
        await _oneJob.WaitAsync(cancellation);
        try
        {
            if (!IsAlive) throw new Xunit.Sdk.XunitException($"the lab VM is gone\n{HarnessOutput}");
            string id = Interlocked.Increment(ref _jobs).ToString(CultureInfo.InvariantCulture);
            string dir = Path.Combine(Share, "jobs", id);
            Directory.CreateDirectory(dir);
            await File.WriteAllBytesAsync(Path.Combine(dir, "argv"), NulTerminated(command), cancellation);
            if (environment is { Count: > 0 })
                await File.WriteAllBytesAsync(Path.Combine(dir, "env"), NulTerminated(environment.Select(kv => $"{kv.Key}={kv.Value}")), cancellation);
            if (workingDirectory is not null) await File.WriteAllTextAsync(Path.Combine(dir, "cwd"), workingDirectory, cancellation);

            var clock = Stopwatch.StartNew();
            await _process.StandardInput.WriteLineAsync($"RUN {id}".AsMemory(), cancellation);
            await _process.StandardInput.FlushAsync(cancellation);
            // run.sh bounds each job by the VM's timeout too (EXIT 124); a shorter limit is enforced here.
            var wait = limit ?? _options.Timeout + Margin;
            string line = await NextLineAsync(wait, $"running {Describe(command)}", cancellation);
            if (!line.StartsWith($"DONE {id} ", StringComparison.Ordinal))
            {
                _broken = true;
                throw await EndedAsync($"the lab VM did not finish {Describe(command)}: {line}");
            }
            int status = int.Parse(line[$"DONE {id} ".Length..], CultureInfo.InvariantCulture);
            return new LabResult(command, status, await File.ReadAllTextAsync(Path.Combine(dir, "stdout"), cancellation),
                await File.ReadAllTextAsync(Path.Combine(dir, "stderr"), cancellation), clock.Elapsed, dir);
        }
        finally
        {
            _oneJob.Release();
        }
    }

    /// <summary>Runs a bash script (<c>set -euo pipefail</c>) in the VM.</summary>
    public Task<LabResult> ShellAsync(string script, CancellationToken cancellation, TimeSpan? limit = null) =>
        RunAsync(["/bin/bash", "-c", "set -euo pipefail\n" + script], cancellation, limit: limit);

    // The next line from run.sh; a VM that does not answer in time is stopped: what it was doing is unknown.
    private async Task<string> NextLineAsync(TimeSpan limit, string doing, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(limit);
        try
        {
            if (await _lines.Reader.WaitToReadAsync(timeout.Token) && _lines.Reader.TryRead(out var line)) return line;
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            string console = ConsoleTail();
            _broken = true;
            await StopAsync(TimeSpan.Zero);
            throw new Xunit.Sdk.XunitException(
                $"the lab VM did not answer within {limit.TotalSeconds:F0} s while {doing}; it was stopped\n{HarnessOutput}\n--- console\n{console}");
        }
        catch (OperationCanceledException)
        {
            _broken = true;
            await StopAsync(TimeSpan.Zero);
            throw;
        }
        _broken = true;
        throw await EndedAsync($"run.sh ended while {doing}");
    }

    // run.sh says why on stderr as it ends (the console's tail, QMP's events): the message waits for all of it.
    private async Task<Exception> EndedAsync(string what)
    {
        try
        {
            await Task.WhenAll(_process.WaitForExitAsync(), _stderrPump).WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException)
        {
            // still running: what it said so far
        }
        string status = _process.HasExited ? $" (run.sh exit status {_process.ExitCode})" : "";
        return new Xunit.Sdk.XunitException($"{what}{status}\n{HarnessOutput}");
    }

    private string ConsoleTail()
    {
        string serial = Path.Combine(Path.GetDirectoryName(Share) ?? "", "serial.log");
        try
        {
            return Share.Length > 0 && File.Exists(serial) ? string.Join('\n', File.ReadLines(serial).TakeLast(40)) : "(none)";
        }
        catch (IOException e)
        {
            return $"(unreadable: {e.Message})";
        }
    }

    private static string Describe(IReadOnlyList<string> command)
    {
        string text = string.Join(' ', command);
        return text.Length > 200 ? text[..200] + "…" : text;
    }

    private static byte[] NulTerminated(IEnumerable<string> items)
    {
        var bytes = new List<byte>();
        foreach (var item in items)
        {
            if (item.Contains('\0', StringComparison.Ordinal)) throw new ArgumentException($"a NUL byte cannot be passed to the lab: {Describe([item])}");
            bytes.AddRange(Encoding.UTF8.GetBytes(item));
            bytes.Add(0);
        }
        return [.. bytes];
    }

    private static async Task PumpAsync(StreamReader reader, Action<string> line, Action end)
    {
        while (await reader.ReadLineAsync() is { } l) line(l);
        end();
    }

    // QUIT lets the runner sync; closing stdin is the same to run.sh. Killed if it does not go within the grace.
    private async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited) return;
        try
        {
            if (grace > TimeSpan.Zero)
            {
                await _process.StandardInput.WriteLineAsync("QUIT");
                _process.StandardInput.Close();
            }
        }
        catch (IOException)
        {
            // run.sh is already gone
        }
        using var wait = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            // SIGTERM first: run.sh's clean-up kills qemu and removes its folder. Killing the whole tree at once
            // would leave the folder behind (the next run.sh sweeps it).
            _ = kill(_process.Id, SIGTERM);
            using var term = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(term.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }
    }

    private const int SIGTERM = 15;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(60));
        _process.Dispose();
        _oneJob.Dispose();
    }
}
