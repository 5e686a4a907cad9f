using System.Diagnostics;
using NetbootPi.Hardware.Watchdog;
using NetbootPi.KernelLab.Tests.Support;

namespace NetbootPi.KernelLab.Tests.Hardware;

/// <summary>
/// <see cref="LinuxWatchdog"/> against real kernel drivers: qemu's i6300esb (a board reset the harness sees through
/// QMP) and softdog (its soft_noboot mode logs instead of rebooting, so one VM can try every close). Each test runs
/// its own body inside a VM of its own: this assembly, run there for one method.
/// </summary>
public class WatchdogDriverTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<(int Code, string Out, string Err)> RunInsideAsync(string method, params string[] options)
    {
        string assembly = typeof(WatchdogDriverTests).Assembly.Location;
        string dotnet = LabHarness.Dotnet;
        return LabHarness.RunOnceAsync([.. options, "--env", $"{LabHarness.InsideVariable}=1"],
            [dotnet, "exec", assembly, "-method", $"{typeof(WatchdogDriverTests).FullName}.{method}", "-noColor", "-noLogo"],
            TimeSpan.FromMinutes(4), Ct);
    }

    [Fact]
    public async Task Petting_keeps_the_i6300esb_quiet_the_magic_close_stops_it_and_left_unpetted_it_resets_the_board()
    {
        // One VM for the three: the reset ends it, so it comes last.
        const string method = nameof(Petting_keeps_the_i6300esb_quiet_the_magic_close_stops_it_and_left_unpetted_it_resets_the_board);
        if (!LabHarness.IsInside)
        {
            var (code, stdout, stderr) = await RunInsideAsync(method, "--device", "i6300esb");
            Assert.True(code == 121, $"run.sh exited with {code}, not 121 (watchdog reset)\n{stdout}\n{stderr}");
            Assert.Contains("disarmed: Stopped; still running 6 s later", stdout);
            Assert.Contains("armed: i6300ESB timer, 2 s", stdout);
            Assert.Contains("the VM was reset by its watchdog (QMP WATCHDOG event, action reset)", stderr);
            return;
        }
        var dog = LinuxWatchdog.Open("/dev/watchdog0");
        Assert.True(dog.Info.HasMagicClose, dog.Info.Capabilities.ToString());
        Assert.Equal(TimeSpan.FromSeconds(2), dog.SetTimeout(TimeSpan.FromSeconds(2)));
        Assert.Equal(TimeSpan.FromSeconds(2), dog.Timeout);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(6))
        {
            dog.Keepalive();
            Thread.Sleep(250);
        }
        var release = dog.Disarm();
        Thread.Sleep(TimeSpan.FromSeconds(6)); // three timeouts: a watchdog still counting would have reset the VM
        Console.WriteLine($"disarmed: {release}; still running 6 s later");

        using var unpetted = LinuxWatchdog.Open("/dev/watchdog0");
        var timeout = unpetted.SetTimeout(TimeSpan.FromSeconds(2));
        Console.WriteLine($"armed: {unpetted.Info.Identity}, {timeout.TotalSeconds} s");
        Thread.Sleep(TimeSpan.FromMinutes(2)); // the reset ends this VM long before
        Assert.Fail("the board was not reset");
    }

    [Fact]
    public async Task Softdog_follows_the_close_rules_a_crash_fires_the_magic_close_does_not_and_nowayout_never_stops()
    {
        if (!LabHarness.IsInside)
        {
            var (code, stdout, stderr) = await RunInsideAsync(nameof(Softdog_follows_the_close_rules_a_crash_fires_the_magic_close_does_not_and_nowayout_never_stops));
            Assert.True(code == 0, $"run.sh exited with {code}\n{stdout}\n{stderr}");
            return;
        }
        Modprobe("softdog", "soft_noboot=1", "soft_margin=1");
        try
        {
            // A crash: closed without the magic, the driver keeps counting and fires.
            var crashed = LinuxWatchdog.Open("/dev/watchdog0");
            Assert.Equal("Software Watchdog", crashed.Info.Identity);
            int before = Triggers();
            crashed.Dispose();
            Thread.Sleep(TimeSpan.FromSeconds(4));
            Assert.True(Triggers() > before, "closed without the magic close, softdog did not fire");

            // The clean stop: the magic close, and nothing fires.
            var clean = LinuxWatchdog.Open("/dev/watchdog0");
            Assert.Equal(WatchdogRelease.Stopped, clean.Disarm());
            before = Triggers();
            Thread.Sleep(TimeSpan.FromSeconds(4));
            Assert.Equal(before, Triggers());
        }
        finally
        {
            Modprobe("-r", "softdog");
        }

        // nowayout: the driver refuses every stop, and the clean stop says so.
        Modprobe("softdog", "soft_noboot=1", "soft_margin=1", "nowayout=1");
        var held = LinuxWatchdog.Open("/dev/watchdog0");
        var beforeHeld = Triggers();
        Assert.Equal(WatchdogRelease.StillRunning, held.Disarm());
        Thread.Sleep(TimeSpan.FromSeconds(4));
        Assert.True(Triggers() > beforeHeld, "under nowayout the magic close stopped softdog");
    }

    /// <summary>How often softdog has fired so far: each time it logs "Triggered - Reboot ignored" (soft_noboot).</summary>
    private static int Triggers()
    {
        var dmesg = Run("dmesg");
        return dmesg.Split('\n').Count(l => l.Contains("softdog: Triggered - Reboot ignored", StringComparison.Ordinal));
    }

    private static void Modprobe(params string[] args) => Run("modprobe", args);

    private static string Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new Xunit.Sdk.XunitException($"{program} {string.Join(' ', args)} exited with {p.ExitCode}: {output}");
        return output;
    }
}
