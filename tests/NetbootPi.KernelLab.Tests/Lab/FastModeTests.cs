using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using NetbootPi.KernelLab.Tests.Support;

namespace NetbootPi.KernelLab.Tests.Lab;

/// <summary>
/// The harness itself in fast mode (one command as PID 1's child, then power-off): what reaches the command,
/// what comes back, and that nothing is left behind when it times out or is stopped.
/// </summary>
public partial class FastModeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Boots_to_a_command_that_gets_its_arguments_unchanged_and_gives_back_its_output_and_status()
    {
        string[] awkward = ["", " two  spaces ", "it's", "\"double\"", "new\nline", "back\\slash", "$(false)", "*", "é✓ünï 🙂",
            "--", "-n", "tab\there", "=x", "'", new string('x', 100_000)];
        var folder = Directory.CreateTempSubdirectory("netbootpi-kernel-lab-test-");
        try
        {
            // A script and a file written here, read there: the host's temporary folders are visible in the VM.
            File.WriteAllText(Path.Combine(folder.FullName, "from-host"), "seen-from-the-vm\n");
            string script = Path.Combine(folder.FullName, "probe.sh");
            File.WriteAllText(script, """
                #!/bin/sh
                printf '%s\0' "$@" | base64 -w0; echo
                cat "$(dirname "$0")/from-host"
                uname -r
                pwd
                # Autoloading works (switch_root, not chroot): no modprobe before this.
                ip link add nbp-dummy type dummy && echo dummy-link-made
                echo "to stderr" >&2
                exit 7
                """);
            if (OperatingSystem.IsLinux()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

            var (code, stdout, stderr) = await LabHarness.RunOnceAsync(["-v"], [script, .. awkward], TimeSpan.FromMinutes(3), Ct);

            Assert.True(code == 7, $"run.sh exited with {code}, not the command's 7\n{stdout}\n{stderr}");
            string[] lines = stdout.Split('\n');
            Assert.Equal(Convert.ToBase64String(NulSeparated(awkward)), lines[0]);
            Assert.Equal("seen-from-the-vm", lines[1]);
            Assert.Matches(@"^6\.1\.\d+-\d+-amd64$", lines[2]);
            Assert.Equal(Environment.CurrentDirectory, lines[3]);
            Assert.Equal("dummy-link-made", lines[4]);
            Assert.Contains("to stderr", stderr);
            LabHarness.ReportTime($"fast boot to command ({Accelerator(stderr)})", BootTime(stderr));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_missing_prerequisite_is_named_with_its_Debian_package()
    {
        LabHarness.Require();
        // PATH as it is, less qemu-system-x86_64: links to everything else in the folders on PATH.
        var bin = Directory.CreateTempSubdirectory("netbootpi-kernel-lab-path-");
        try
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Where(Directory.Exists))
                foreach (var file in Directory.EnumerateFiles(dir))
                {
                    string link = Path.Combine(bin.FullName, Path.GetFileName(file));
                    if (Path.GetFileName(file) != "qemu-system-x86_64" && !File.Exists(link)) File.CreateSymbolicLink(link, file);
                }
            var start = new ProcessStartInfo(LabHarness.RunScript, ["--", "true"])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            start.Environment["PATH"] = bin.FullName;
            using var run = Process.Start(start)!;
            string stderr = await run.StandardError.ReadToEndAsync(Ct);
            await run.WaitForExitAsync(Ct);

            Assert.Equal(125, run.ExitCode);
            Assert.Contains("qemu-system-x86_64 is missing: install the Debian package qemu-system-x86", stderr);
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_command_that_outlives_the_timeout_ends_the_run_with_124_and_leaves_nothing_behind()
    {
        LabHarness.Require();
        var before = LabLeftovers();

        var (code, _, stderr) = await LabHarness.RunOnceAsync([], ["sleep", "600"], TimeSpan.FromSeconds(5), Ct);

        Assert.True(code == 124, $"run.sh exited with {code}\n{stderr}");
        Assert.Contains("timed out after 5 s", stderr);
        Assert.Equal(before, LabLeftovers());
    }

    [Fact]
    public async Task SIGTERM_to_a_serving_harness_kills_its_qemu_and_removes_its_folder()
    {
        LabHarness.Require();
        var start = new ProcessStartInfo(LabHarness.RunScript, ["--serve"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var run = Process.Start(start)!;
        try
        {
            var stderr = run.StandardError.ReadToEndAsync(Ct);
            string ready = await run.StandardOutput.ReadLineAsync(Ct).AsTask().WaitAsync(TimeSpan.FromMinutes(3), Ct) ?? "";
            // stderr ends only with run.sh: read it only once the test has failed.
            if (!ready.StartsWith("READY ", StringComparison.Ordinal)) Assert.Fail($"run.sh said '{ready}'\n{await stderr}");
            string folder = Path.GetDirectoryName(ready.Split(' ')[^1])!;
            var children = ChildrenOf(run.Id);
            if (children.Count != 1)
                Assert.Fail($"run.sh (pid {run.Id}) has {children.Count} qemu children" + (run.HasExited ? $"; it exited with {run.ExitCode}: {await stderr}" : ""));
            int qemu = children[0];
            Assert.True(Directory.Exists(folder));

            Assert.Equal(0, kill(run.Id, SIGTERM));
            await run.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);

            Assert.Equal(143, run.ExitCode);
            Assert.False(Directory.Exists($"/proc/{qemu}"), $"qemu (pid {qemu}) outlived run.sh");
            Assert.False(Directory.Exists(folder), $"{folder} is left behind");
        }
        finally
        {
            if (!run.HasExited) run.Kill(entireProcessTree: true);
        }
    }

    /// <summary>The bytes run.sh writes for the VM's runner: each argument, UTF-8, then a NUL.</summary>
    private static byte[] NulSeparated(IEnumerable<string> args) =>
        [.. args.SelectMany(a => Encoding.UTF8.GetBytes(a).Append((byte)0))];

    // "kernel-lab: fast boot (tcg): ready after 9.83 s (...)" from run.sh -v
    [GeneratedRegex(@"kernel-lab: \w+ boot \((\w+)\): ready after ([0-9.]+) s")]
    private static partial Regex BootLine();

    internal static TimeSpan BootTime(string stderr) =>
        TimeSpan.FromSeconds(double.Parse(BootLine().Match(stderr) is { Success: true } m ? m.Groups[2].Value
            : throw new Xunit.Sdk.XunitException($"no boot time in run.sh's output:\n{stderr}"), CultureInfo.InvariantCulture));

    internal static string Accelerator(string stderr) => BootLine().Match(stderr).Groups[1].Value;

    // qemu processes started by run.sh, and run folders: what a run must not leave behind.
    private static (string Qemus, string Folders) LabLeftovers()
    {
        var qemus = Directory.EnumerateDirectories("/proc").Select(Path.GetFileName)
            .Where(p => int.TryParse(p, out _) && ReadOrEmpty($"/proc/{p}/cmdline").Contains("netbootpi-kernel-lab.", StringComparison.Ordinal))
            .Order();
        var folders = Directory.EnumerateDirectories(Path.GetTempPath(), "netbootpi-kernel-lab.*").Order();
        return (string.Join(',', qemus), string.Join(',', folders));
    }

    // qemu processes whose parent is pid (/proc/PID/stat: "PID (COMM) STATE PPID ...").
    internal static IReadOnlyList<int> ChildrenOf(int pid) =>
        [.. Directory.EnumerateDirectories("/proc").Select(Path.GetFileName)
            .Select(p => int.TryParse(p, out int n) ? n : 0).Where(n => n > 0)
            .Where(n =>
            {
                string stat = ReadOrEmpty($"/proc/{n}/stat");
                int close = stat.LastIndexOf(')');
                if (close < 0 || !stat.Contains("(qemu-system", StringComparison.Ordinal)) return false;
                string[] rest = stat[(close + 2)..].Split(' ');
                return rest.Length > 1 && rest[1] == pid.ToString(CultureInfo.InvariantCulture);
            })];

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ""; // the process went meanwhile
        }
    }

    private const int SIGTERM = 15;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
