using System.Globalization;

namespace NetbootPi.KernelLab.Tests.Support;

/// <summary>
/// The kernel lab (<c>tests/kernel-lab/run.sh</c>) from C#: whether it can run here, one command in a VM of its
/// own, and whether this process is itself running inside a lab VM.
/// </summary>
/// <remarks>
/// Outside CI a missing prerequisite (root, qemu, kmod, the lab kernel) skips the test with run.sh's own words,
/// which name the Debian package; with CI=true it fails the test.
/// </remarks>
internal static class LabHarness
{
    /// <summary>Set to "1" for every command the lab's job runner starts inside a VM.</summary>
    public const string InsideVariable = "NETBOOTPI_KERNEL_LAB";

    private static readonly Lazy<string?> WhyUnavailable = new(CheckPrerequisites);

    /// <summary>True when this process runs inside a lab VM (started by its job runner).</summary>
    /// <summary>The dotnet this process runs on; a lab VM sees it at the same path.</summary>
    public static string Dotnet { get; } = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet"));

    public static bool IsInside => Environment.GetEnvironmentVariable(InsideVariable) == "1";

    /// <summary>The harness, found from the test assembly's folder up to the repository.</summary>
    public static string RunScript { get; } = FindRunScript();

    /// <summary>Skips the test (fails it with CI=true) when the lab cannot run here; a no-op inside a VM.</summary>
    public static void Require()
    {
        if (IsInside) return;
        if (WhyUnavailable.Value is { } why) Peers.SkipOrFail(why);
    }

    /// <summary>
    /// Runs <paramref name="command"/> once in a VM of its own (<c>run.sh OPTIONS -- COMMAND</c>) and returns
    /// run.sh's exit status and output; <paramref name="limit"/> bounds the whole run (the VM is killed after it).
    /// </summary>
    public static Task<(int Code, string Out, string Err)> RunOnceAsync(IEnumerable<string> options,
        IReadOnlyList<string> command, TimeSpan limit, CancellationToken cancellation)
    {
        Require();
        string seconds = ((int)limit.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        // run.sh's own timeout first, so that it reports with the console's tail; the process limit is the backstop.
        return Tool.RunAsync(RunScript, ["--timeout", seconds, .. options, "--", .. command], cancellation,
            limit + TimeSpan.FromSeconds(30));
    }

    /// <summary>Writes "TIME kernel-lab WHAT: S s" to the test's output, where ./test.sh finds and prints it.</summary>
    public static void ReportTime(string what, TimeSpan time) =>
        TestContext.Current.TestOutputHelper?.WriteLine(
            string.Create(CultureInfo.InvariantCulture, $"TIME kernel-lab {what}: {time.TotalSeconds:F1} s"));

    private static string? CheckPrerequisites()
    {
        if (!OperatingSystem.IsLinux()) return "the kernel lab runs on Linux only";
        if (!File.Exists(RunScript)) return $"{RunScript} is missing";
        // run.sh names whatever is missing with its Debian package, and fetches the lab kernel if it must.
        // Off the test's synchronization context: blocking on it there could wait for itself.
        var (code, _, err) = Task.Run(() => Tool.RunAsync(RunScript, ["--check"], CancellationToken.None, TimeSpan.FromMinutes(5)))
            .GetAwaiter().GetResult();
        return code == 0 ? null : $"the kernel lab cannot run here: {err.Trim()}";
    }

    private static string FindRunScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "kernel-lab", "run.sh");
            if (File.Exists(candidate)) return candidate;
        }
        return Path.Combine(AppContext.BaseDirectory, "tests", "kernel-lab", "run.sh");
    }
}
