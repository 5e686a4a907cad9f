using System.Diagnostics;
using NetbootPi.Agent.Health;
using NetbootPi.KernelLab.Tests.Support;

namespace NetbootPi.KernelLab.Tests.Devices;

/// <summary>
/// The agent as a systemd service with WatchdogSec=, on PID 1 of the shared systemd-mode VM: systemd restarts it
/// when it stops giving signs of life (frozen with SIGSTOP) and when it withholds them because a health check fails
/// (its state directory full; and the check itself on a read-only file system), and the journal says which.
/// </summary>
[Collection(SystemdLabCollection.Name)]
public class AgentWatchdogUnderSystemdTests(SystemdLabFixture lab)
{
    private const string Unit = "nbp-watchdog.service";
    private const string Folder = "/run/nbp-watchdog";

    [Fact]
    public async Task Systemd_restarts_a_frozen_agent_and_one_whose_health_fails_and_the_journal_says_why()
    {
        if (!LabHarness.IsInside)
        {
            await PublishedAgent.EnsureAsync(TestContext.Current.CancellationToken);
            await lab.RunInsideAsync();
            return;
        }

        string state = Path.Combine(Folder, "state");
        Directory.CreateDirectory(state);
        Sh($"mount -t tmpfs -o size=16m tmpfs {state}");
        try
        {
            string site = AgentSite.Write(Folder, state);
            // 6 s: petted every 3 s; room for a slow tick under software emulation without a false restart.
            Sh("systemd-run --unit " + Unit + " --property Type=notify --property NotifyAccess=main --property WatchdogSec=6s "
                + "--property TimeoutAbortSec=3s --property Restart=on-failure --property RestartSec=1s --property StartLimitIntervalSec=0 "
                + $"{AgentSite.Executable} {string.Join(' ', AgentSite.RunArguments(site))}");
            Assert.Equal("active", Show("ActiveState"));
            Thread.Sleep(TimeSpan.FromSeconds(15)); // healthy: petted, never restarted
            Assert.Equal(("active", "0"), (Show("ActiveState"), Show("NRestarts")));

            string frozen = Show("MainPID");
            Sh($"kill -STOP {frozen}");
            WaitFor(() => Show("NRestarts") == "1" && Show("ActiveState") == "active" && Show("MainPID") != frozen, TimeSpan.FromSeconds(40), "a restart after SIGSTOP");
            Assert.Contains("Watchdog timeout", Journal());
            Console.WriteLine("SIGSTOP: restarted by systemd");

            // The event log's disk full: the agent holds its files open, so a read-only remount would be refused (busy).
            Sh($"dd if=/dev/zero of={state}/fill bs=1M count=32 2>/dev/null || true");
            WaitFor(() => int.Parse(Show("NRestarts"), System.Globalization.CultureInfo.InvariantCulture) >= 2, TimeSpan.FromSeconds(40), "a restart after the state directory filled up");
            string journal = Journal();
            Assert.Contains("watchdog: not petting, unhealthy for", journal);
            Assert.Matches($"the state directory {state} has \\d+ bytes free, less than the 1048576 leases and boot events need", journal);
            Console.WriteLine("full state directory: restarted by systemd, the reason in the journal");

            // A read-only file system, as ext4 leaves a failing card, seen by the same check (no writer holds this one).
            string readOnly = Path.Combine(Folder, "ro");
            Directory.CreateDirectory(readOnly);
            Sh($"mount -t tmpfs -o size=1m,ro tmpfs {readOnly}");
            try
            {
                Assert.Equal($"the state directory {readOnly} is on a read-only file system (a failing SD card is remounted read-only)",
                    new StateDirectoryCheck(() => readOnly).Problem());
            }
            finally
            {
                Sh($"umount {readOnly}");
            }
        }
        finally
        {
            Sh($"systemctl stop {Unit} || true; systemctl reset-failed {Unit} 2>/dev/null || true; umount {state} || true; rm -rf {Folder}");
        }
    }

    private static string Show(string property) => Sh($"systemctl show -p {property} --value {Unit}").Trim();

    private static string Journal() => Sh($"journalctl -u {Unit} --no-pager -o cat");

    private static void WaitFor(Func<bool> condition, TimeSpan limit, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit) throw new Xunit.Sdk.XunitException($"no {what} within {limit.TotalSeconds} s:\n{Sh($"systemctl status {Unit} --no-pager || true")}\n{Journal()}");
            Thread.Sleep(500);
        }
    }

    private static string Sh(string script)
    {
        var psi = new ProcessStartInfo("/bin/sh", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new Xunit.Sdk.XunitException($"'{script}' exited with {p.ExitCode}: {error}");
        return output.Result;
    }
}
