using System.Collections.Concurrent;
using System.Diagnostics;
using NetbootPi.KernelLab.Tests.Support;

namespace NetbootPi.KernelLab.Tests.Devices;

/// <summary>
/// The agent holding the board's watchdog itself (<c>run --watchdog-device</c>), on qemu's i6300esb in a VM of its
/// own: petted while healthy, disarmed by a clean stop (the VM lives on), and a frozen agent resets the board
/// (qemu reports the watchdog's reset, run.sh exits 121).
/// </summary>
public class AgentWatchdogDirectTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_agent_pets_the_board_watchdog_disarms_it_on_a_clean_stop_and_a_frozen_agent_resets_the_board()
    {
        if (!LabHarness.IsInside)
        {
            await PublishedAgent.EnsureAsync(Ct);
            string assembly = typeof(AgentWatchdogDirectTests).Assembly.Location;
            string dotnet = LabHarness.Dotnet;
            string method = nameof(The_agent_pets_the_board_watchdog_disarms_it_on_a_clean_stop_and_a_frozen_agent_resets_the_board);
            var (code, stdout, stderr) = await LabHarness.RunOnceAsync(["--device", "i6300esb", "--env", $"{LabHarness.InsideVariable}=1"],
                [dotnet, "exec", assembly, "-method", $"{typeof(AgentWatchdogDirectTests).FullName}.{method}", "-noColor", "-noLogo"],
                TimeSpan.FromMinutes(5), Ct);
            Assert.True(code == 121, $"run.sh exited with {code}, not 121 (watchdog reset)\n{stdout}\n{stderr}");
            Assert.Contains("petted: no reset in 12 s", stdout);
            Assert.Contains("clean stop: disarmed, no reset in 12 s", stdout);
            Assert.Contains("frozen: waiting for the reset", stdout);
            return;
        }
        string folder = Directory.CreateTempSubdirectory("nbp-watchdog-").FullName;
        string site = AgentSite.Write(folder, Path.Combine(folder, "state"));
        string[] arguments = AgentSite.RunArguments(site, "--watchdog-device", "/dev/watchdog0", "--watchdog-timeout", "4");

        using (var agent = Agent.Start(arguments))
        {
            agent.WaitFor("watchdog: /dev/watchdog0 (i6300ESB timer) armed, 4 s");
            Thread.Sleep(TimeSpan.FromSeconds(12)); // three timeouts
            Console.WriteLine("petted: no reset in 12 s");
            agent.Stop();
            Assert.Contains("watchdog: /dev/watchdog0 disarmed (magic close)", agent.Output);
        }
        Thread.Sleep(TimeSpan.FromSeconds(12));
        Console.WriteLine("clean stop: disarmed, no reset in 12 s");

        using var frozen = Agent.Start(arguments);
        frozen.WaitFor("armed, 4 s");
        Process.Start("kill", ["-STOP", frozen.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        Console.WriteLine("frozen: waiting for the reset");
        Thread.Sleep(TimeSpan.FromMinutes(2)); // the reset ends this VM long before
        Assert.Fail("the board was not reset");
    }

    /// <summary>The agent as a child process, its output lines collected.</summary>
    private sealed class Agent : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _lines = new();

        private Agent(Process process) => _process = process;

        public int Id => _process.Id;

        public string Output => string.Join('\n', _lines);

        public static Agent Start(string[] arguments)
        {
            var psi = new ProcessStartInfo(AgentSite.Executable, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
            var agent = new Agent(new Process { StartInfo = psi });
            agent._process.OutputDataReceived += (_, e) => { if (e.Data is { } l) agent._lines.Enqueue(l); };
            agent._process.ErrorDataReceived += (_, e) => { if (e.Data is { } l) agent._lines.Enqueue(l); };
            agent._process.Start();
            agent._process.BeginOutputReadLine();
            agent._process.BeginErrorReadLine();
            return agent;
        }

        public void WaitFor(string text)
        {
            var clock = Stopwatch.StartNew();
            while (!_lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
            {
                if (_process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(90))
                    throw new Xunit.Sdk.XunitException($"the agent did not print '{text}':\n{Output}");
                Thread.Sleep(200);
            }
        }

        public void Stop()
        {
            Process.Start("kill", ["-TERM", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(30))) throw new Xunit.Sdk.XunitException($"the agent did not stop:\n{Output}");
            _process.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill();
            _process.Dispose();
        }
    }
}
