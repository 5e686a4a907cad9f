using NetbootPi.Hardware.Watchdog;

namespace NetbootPi.Hardware.Tests.Watchdog;

/// <summary>The Linux driver's answers where no watchdog can be armed: every machine can run these.</summary>
public class LinuxWatchdogTests
{
    [Fact]
    public void A_missing_device_is_named_with_what_to_load()
    {
        var e = Assert.Throws<WatchdogException>(() => LinuxWatchdog.Open("/dev/nbp-no-such-watchdog"));
        Assert.Equal("/dev/nbp-no-such-watchdog: no such device (is the watchdog driver loaded? bcm2835_wdt on a Raspberry Pi, softdog as a kernel-only stand-in)", e.Message);
    }

    [Fact]
    public void A_device_that_is_no_watchdog_is_refused_and_left_alone()
    {
        var e = Assert.Throws<WatchdogException>(() => LinuxWatchdog.Open("/dev/null"));
        Assert.StartsWith("/dev/null: not a watchdog device (WDIOC_GETSUPPORT: ", e.Message);
        Assert.Equal(25, e.Errno); // ENOTTY: the ioctl does not apply to this file
    }
}
