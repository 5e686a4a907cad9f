using Microsoft.Extensions.Time.Testing;
using NetbootPi.Agent.Devices;
using NetbootPi.Agent.Health;
using NetbootPi.Agent.Os;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Tests.Support;
using NetbootPi.Hardware.Tests.Watchdog;
using NetbootPi.Hardware.Watchdog;

namespace NetbootPi.Agent.Tests.Devices;

/// <summary>
/// The watchdog service on a fake clock: against a simulated watchdog device (it resets the "board" when not
/// petted in time) and against systemd's notification socket (a real datagram socket).
/// </summary>
public class WatchdogServiceTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private readonly CapturingLogger _log = new();

    /// <summary>A health check whose outcome the test sets, as a failing disk or a wedged loop would.</summary>
    private sealed class Switch : IHealthCheck
    {
        public string? Failure { get; set; }
        public string? Problem() => Failure;
    }

    private WatchdogService Service(IHealthCheck check, SystemdNotifier notifier, WatchdogOptions options) =>
        new(new HealthMonitor([check], _time), notifier, new ServiceStatus(notifier), _time, options, new CapturingLogger<WatchdogService>(_log));

    private const WatchdogCapabilities Dog = WatchdogCapabilities.SetTimeout | WatchdogCapabilities.KeepalivePing | WatchdogCapabilities.MagicClose;

    private void Run(TimeSpan span)
    {
        // In steps, as real time passes: every timer due in between fires in order.
        for (var t = TimeSpan.Zero; t < span; t += TimeSpan.FromMilliseconds(500)) _time.Advance(TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task Direct_mode_pets_the_device_while_healthy_and_lets_it_fire_when_a_check_fails()
    {
        var device = new SimulatedWatchdog(_time, Dog, TimeSpan.FromSeconds(60));
        var health = new Switch();
        using var notifier = new SystemdNotifier(null);
        using var service = Service(health, notifier, new WatchdogOptions(null, "/dev/watchdog0", TimeSpan.FromSeconds(6), _ => device.Open()));
        await service.StartAsync(TestContext.Current.CancellationToken);
        Assert.Equal(TimeSpan.FromSeconds(2), service.Period);
        Assert.True(_log.Contains(21, "watchdog: /dev/watchdog0 (Simulated Watchdog) armed, 6 s; petted while the health checks pass; a clean stop disarms it"));

        Run(TimeSpan.FromMinutes(2));
        Assert.False(device.Fired);

        health.Failure = "the state directory /var/lib/netbootpi is on a read-only file system";
        Run(TimeSpan.FromSeconds(5));
        Assert.False(device.Fired); // the last pet was at most 2 s before the failure
        Assert.True(_log.Contains(22, "watchdog: not petting, unhealthy for 2 s: the state directory /var/lib/netbootpi is on a read-only file system"));
        Run(TimeSpan.FromSeconds(2));
        Assert.True(device.Fired);
    }

    [Fact]
    public async Task A_check_that_passes_again_resumes_the_petting_and_says_so()
    {
        var device = new SimulatedWatchdog(_time, Dog, TimeSpan.FromSeconds(60));
        var health = new Switch { Failure = "a loop is stuck" };
        using var notifier = new SystemdNotifier(null);
        using var service = Service(health, notifier, new WatchdogOptions(null, "/dev/watchdog0", TimeSpan.FromSeconds(6), _ => device.Open()));
        await service.StartAsync(TestContext.Current.CancellationToken);
        Run(TimeSpan.FromSeconds(3)); // failing at the start and at 2 s; the device's 6 s are not up
        health.Failure = null;
        Run(TimeSpan.FromSeconds(30));
        Assert.False(device.Fired);
        Assert.True(_log.Contains(23, "watchdog: the health checks pass again; petting"));
    }

    [Fact]
    public async Task A_clean_stop_disarms_the_device_and_nowayout_is_reported()
    {
        var device = new SimulatedWatchdog(_time, Dog, TimeSpan.FromSeconds(60));
        using var notifier = new SystemdNotifier(null);
        var service = Service(new Switch(), notifier, new WatchdogOptions(null, "/dev/watchdog0", TimeSpan.FromSeconds(6), _ => device.Open()));
        await service.StartAsync(TestContext.Current.CancellationToken);
        await service.StopAsync(TestContext.Current.CancellationToken);
        Run(TimeSpan.FromMinutes(1));
        Assert.False(device.Fired);
        Assert.False(device.IsRunning);
        Assert.True(_log.Contains(25, "watchdog: /dev/watchdog0 disarmed (magic close)"));

        var held = new SimulatedWatchdog(_time, Dog, TimeSpan.FromSeconds(60), noWayOut: true);
        service = Service(new Switch(), notifier, new WatchdogOptions(null, "/dev/watchdog1", TimeSpan.FromSeconds(6), _ => held.Open()));
        await service.StartAsync(TestContext.Current.CancellationToken);
        await service.StopAsync(TestContext.Current.CancellationToken);
        Assert.True(_log.Contains(26, "watchdog: /dev/watchdog1 cannot be stopped (the driver has nowayout): the board resets in 6 s unless something pets it"));
        Run(TimeSpan.FromSeconds(7));
        Assert.True(held.Fired);
    }

    [Fact]
    public async Task A_device_held_by_another_process_stops_the_start_with_a_sentence()
    {
        var device = new SimulatedWatchdog(_time, Dog, TimeSpan.FromSeconds(60));
        using var other = device.Open();
        using var notifier = new SystemdNotifier(null);
        using var service = Service(new Switch(), notifier, new WatchdogOptions(null, "/dev/watchdog", TimeSpan.FromSeconds(6), _ => device.Open()));
        var e = await Assert.ThrowsAsync<ServiceStartException>(() => service.StartAsync(TestContext.Current.CancellationToken));
        Assert.Equal("the watchdog cannot be used: simulated: already held by another process", e.Message);
    }

    [Fact]
    public async Task Systemd_gets_WATCHDOG_1_at_half_its_interval_only_while_healthy_and_the_reason_in_the_status_line()
    {
        var ct = TestContext.Current.CancellationToken;
        using var socket = new NotifySocket();
        using var notifier = new SystemdNotifier(socket.Path);
        var health = new Switch();
        using var service = Service(health, notifier, new WatchdogOptions(TimeSpan.FromSeconds(10), null, TimeSpan.FromSeconds(15)));
        await service.StartAsync(ct);
        Assert.Equal(TimeSpan.FromSeconds(5), service.Period);
        Assert.Equal("WATCHDOG=1", await socket.ReceiveAsync(ct)); // at once
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("WATCHDOG=1", await socket.ReceiveAsync(ct));

        health.Failure = "the state directory /s has 0 bytes free, less than the 1048576 leases and boot events need";
        _time.Advance(TimeSpan.FromSeconds(5));
        // Not ready yet (no READY=1 in this test), so the status line is kept, not sent: the log says it.
        Assert.True(_log.Contains(22, "unhealthy for 0 s: the state directory /s has 0 bytes free"));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(_log.Contains(22, "unhealthy for 5 s"));
        health.Failure = null;
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("WATCHDOG=1", await socket.ReceiveAsync(ct)); // the next datagram: none was sent while failing
    }

    [Fact]
    public void The_state_directory_check_names_the_directory_and_what_is_wrong()
    {
        var dir = Directory.CreateTempSubdirectory("netbootpi-health-").FullName;
        try
        {
            Assert.Null(new StateDirectoryCheck(() => dir).Problem());
            Assert.Matches($"^the state directory {dir} has \\d+ bytes free, less than the {long.MaxValue} leases and boot events need$",
                new StateDirectoryCheck(() => dir, long.MaxValue).Problem());
            Assert.Equal($"the state directory {dir}/gone cannot be checked: No such file or directory",
                new StateDirectoryCheck(() => dir + "/gone").Problem());
        }
        finally
        {
            Directory.Delete(dir);
        }
    }
}
