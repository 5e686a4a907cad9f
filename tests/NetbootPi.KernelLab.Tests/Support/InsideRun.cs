using System.Xml.Linq;

namespace NetbootPi.KernelLab.Tests.Support;

/// <summary>
/// One run of this test assembly inside a lab VM, for one test class: the xunit v3 executable with
/// <c>-class CLASS -xml FILE</c>, and what it reported for each method.
/// </summary>
/// <remarks>
/// .NET starts slowly under software emulation (about 8 s for the xunit runner and an empty test), so a class's
/// tests run inside in one process, once, and each test on the host then reports its own result from it.
/// </remarks>
internal sealed class InsideRun
{
    private readonly Dictionary<string, List<XElement>> _tests;
    private readonly LabResult _run;

    private InsideRun(LabResult run, Dictionary<string, List<XElement>> tests)
    {
        _run = run;
        _tests = tests;
    }

    public static async Task<InsideRun> StartAsync(LabVm vm, string testClass, CancellationToken cancellation)
    {
        string assembly = typeof(InsideRun).Assembly.Location;
        string dotnet = LabHarness.Dotnet;
        var environment = new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" };
        if (Peers.IsCi) environment["CI"] = "true";
        // The result file goes into the job's folder on the share, which this side reads afterwards.
        var run = await vm.RunAsync(["/bin/sh", "-c", "exec \"$@\" -xml \"$LAB_JOB_DIR/results.xml\"", "sh",
            dotnet, "exec", assembly, "-class", testClass, "-noColor", "-noLogo", "-parallel", "none"],
            cancellation, environment, workingDirectory: Path.GetDirectoryName(assembly));
        LabHarness.ReportTime($"C# tests of {testClass.Split('.')[^1]} inside the VM", run.Duration);
        string xml = Path.Combine(run.JobDirectory, "results.xml");
        if (!File.Exists(xml))
            throw new Xunit.Sdk.XunitException($"the test assembly wrote no results inside the lab VM:\n{run.Describe()}");
        var tests = XDocument.Load(xml).Descendants("test")
            .Where(t => (string?)t.Attribute("type") == testClass)
            .GroupBy(t => (string?)t.Attribute("method") ?? "")   // a theory has one result per case
            .ToDictionary(g => g.Key, g => g.ToList());
        return new InsideRun(run, tests);
    }

    /// <summary>Passes, fails, or skips (fails with CI=true) as <paramref name="method"/> did inside.</summary>
    public void Report(string method)
    {
        if (!_tests.TryGetValue(method, out var results))
            throw new Xunit.Sdk.XunitException($"{method} did not run inside the lab VM:\n{_run.Describe()}");
        foreach (var test in results)
        {
            string output = (string?)test.Element("output") ?? "";
            if (output.Length > 0) TestContext.Current.TestOutputHelper?.WriteLine($"inside the lab VM ({(string?)test.Attribute("name")}):\n{output}");
            switch ((string?)test.Attribute("result"))
            {
                case "Pass":
                    break;
                case "Skip":
                    Peers.SkipOrFail($"inside the lab VM: {(string?)test.Element("reason")}");
                    break;
                default:
                    var failure = test.Element("failure");
                    throw new Xunit.Sdk.XunitException(
                        $"inside the lab VM, {(string?)test.Attribute("name")} ({(string?)failure?.Attribute("exception-type")}): " +
                        $"{(string?)failure?.Element("message")}\n{(string?)failure?.Element("stack-trace")}\n--- output\n{output}");
            }
        }
    }
}
