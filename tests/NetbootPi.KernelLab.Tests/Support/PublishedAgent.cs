using System.Diagnostics;

namespace NetbootPi.KernelLab.Tests.Support;

/// <summary>
/// The agent as it ships, for the lab's VMs: the NativeAOT linux-x64 publish of the README's command
/// (<c>dotnet publish src/Agent -c Release -r linux-x64 -o artifacts/linux-x64</c>), which <c>./test.sh</c> makes
/// before the test projects run.
/// </summary>
/// <remarks>
/// Not the framework-dependent build beside this assembly: under software emulation every start of that one JITs
/// the agent again (4-5 s for <c>netbootpi check</c> of the example site, against 0.4 s published), and the lab's
/// tests start it dozens of times. A publish that is missing or older than the assemblies built beside this one is
/// made here first (about a minute), so running this project alone after a change never tests an old agent. Inside
/// a VM the host has already made sure of it.
/// </remarks>
internal static class PublishedAgent
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static bool _checked;

    /// <summary>Where the published agent is: <c>artifacts/linux-x64/netbootpi</c> under the repository.</summary>
    public static string Executable { get; } = Path.Combine(RepositoryRoot(), "artifacts", "linux-x64", "netbootpi");

    /// <summary>The published agent's path, published first when it is missing or older than this build.</summary>
    public static async Task<string> EnsureAsync(CancellationToken cancellation)
    {
        if (LabHarness.IsInside) return Executable;
        await Gate.WaitAsync(cancellation);
        try
        {
            if (_checked) return Executable;
            if (StaleBecause() is { } why)
            {
                TestContext.Current.TestOutputHelper?.WriteLine($"publishing the agent for the lab: {why}");
                var watch = Stopwatch.StartNew();
                string root = RepositoryRoot();
                var (code, stdout, stderr) = await Tool.RunAsync("dotnet",
                    ["publish", Path.Combine(root, "src", "Agent"), "-c", "Release", "-r", "linux-x64",
                        "-o", Path.GetDirectoryName(Executable)!, "-nologo", "-v:q"],
                    cancellation, TimeSpan.FromMinutes(10));
                if (code != 0) throw new Xunit.Sdk.XunitException($"dotnet publish of the agent failed ({code}):\n{stdout}\n{stderr}");
                LabHarness.ReportTime("publish of the agent (linux-x64, NativeAOT)", watch.Elapsed);
                if (StaleBecause() is { } still) throw new Xunit.Sdk.XunitException($"after dotnet publish: {still}");
            }
            _checked = true;
            return Executable;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Why the publish cannot be used as it is, or null.</summary>
    private static string? StaleBecause()
    {
        var published = new FileInfo(Executable);
        if (!published.Exists) return $"{Executable} is missing";
        // The assemblies built with this test project (ProjectReference) are the source's latest build.
        foreach (string name in new[] { "netbootpi.dll", "NetbootPi.Protocols.dll", "NetbootPi.Hardware.dll" })
        {
            var built = new FileInfo(Path.Combine(AppContext.BaseDirectory, name));
            if (built.Exists && built.LastWriteTimeUtc > published.LastWriteTimeUtc)
                return $"{Executable} is older than {built.FullName}";
        }
        return null;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NetbootPi.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no NetbootPi.sln above {AppContext.BaseDirectory}");
    }
}
