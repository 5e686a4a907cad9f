using NetbootPi.Hardware.Watchdog;

namespace NetbootPi.Hardware.Tests.Watchdog;

/// <summary>
/// What every <see cref="IWatchdog"/> must do, as the kernel's watchdog API defines it, run here against the
/// simulated device (the same behaviour, proved on a real kernel with the i6300esb and softdog drivers in the
/// kernel-lab tier).
/// </summary>
public class WatchdogContractTests
{
    private const WatchdogCapabilities Typical = WatchdogCapabilities.SetTimeout | WatchdogCapabilities.MagicClose | WatchdogCapabilities.KeepalivePing;
    private readonly FakeTimeProvider _time = new();

    private SimulatedWatchdog Device(WatchdogCapabilities caps = Typical, bool noWayOut = false) =>
        new(_time, caps, TimeSpan.FromSeconds(15), noWayOut);

    [Fact]
    public void Opened_and_left_alone_it_resets_the_board_when_the_timeout_passes()
    {
        var device = Device();
        using var dog = device.Open();
        _time.Advance(TimeSpan.FromSeconds(14));
        Assert.False(device.Fired);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(device.Fired);
    }

    [Fact]
    public void Petting_within_the_timeout_keeps_it_from_firing()
    {
        var device = Device();
        using var dog = device.Open();
        for (var i = 0; i < 20; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(10));
            dog.Keepalive();
        }
        Assert.False(device.Fired);
    }

    [Fact]
    public void A_new_timeout_is_rounded_up_to_whole_seconds_and_applies_from_now()
    {
        var device = Device();
        using var dog = device.Open();
        Assert.Equal(TimeSpan.FromSeconds(3), dog.SetTimeout(TimeSpan.FromSeconds(2.5)));
        Assert.Equal(TimeSpan.FromSeconds(3), dog.Timeout);
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.True(device.Fired);
    }

    [Fact]
    public void A_driver_without_settable_timeout_says_so()
    {
        using var dog = Device(WatchdogCapabilities.MagicClose).Open();
        Assert.Throws<WatchdogException>(() => dog.SetTimeout(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void The_clean_stop_disarms_it()
    {
        var device = Device();
        var dog = device.Open();
        Assert.Equal(WatchdogRelease.Stopped, dog.Disarm());
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.False(device.Fired);
    }

    [Fact]
    public void A_crash_closes_without_the_magic_and_the_board_is_reset()
    {
        var device = Device();
        device.Open().Dispose();
        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.True(device.Fired);
    }

    [Fact]
    public void Without_magic_close_a_plain_close_stops_it()
    {
        var device = Device(WatchdogCapabilities.SetTimeout);
        device.Open().Dispose();
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.False(device.Fired);
    }

    [Fact]
    public void Under_nowayout_nothing_stops_it_and_the_clean_stop_says_so()
    {
        var device = Device(noWayOut: true);
        Assert.Equal(WatchdogRelease.StillRunning, device.Open().Disarm());
        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.True(device.Fired);
    }

    [Fact]
    public void One_opener_at_a_time()
    {
        var device = Device();
        using var first = device.Open();
        var e = Assert.Throws<WatchdogException>(() => device.Open());
        Assert.Equal(16, e.Errno); // EBUSY, as the kernel answers a second open
    }
}
