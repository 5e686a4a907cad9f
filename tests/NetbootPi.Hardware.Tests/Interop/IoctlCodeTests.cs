using NetbootPi.Hardware.Interop;

namespace NetbootPi.Hardware.Tests.Interop;

/// <summary>
/// Request numbers against the kernel headers' values for the generic layout (x86_64 and arm64 alike), as
/// printed by a C program with <c>printf("%#lx", WDIOC_GETSUPPORT)</c> and friends.
/// </summary>
public class IoctlCodeTests
{
    [Fact]
    public void Watchdog_requests_match_linux_watchdog_h()
    {
        Assert.Equal((nuint)0x80285700, IoctlCode.Ior('W', 0, 40)); // WDIOC_GETSUPPORT, struct watchdog_info
        Assert.Equal((nuint)0x80045705, IoctlCode.Ior('W', 5, 4));  // WDIOC_KEEPALIVE
        Assert.Equal((nuint)0xC0045706, IoctlCode.Iowr('W', 6, 4)); // WDIOC_SETTIMEOUT
        Assert.Equal((nuint)0x80045707, IoctlCode.Ior('W', 7, 4));  // WDIOC_GETTIMEOUT
    }

    [Fact]
    public void Other_directions_and_sizes()
    {
        Assert.Equal((nuint)0x80685600, IoctlCode.Ior('V', 0, 104)); // VIDIOC_QUERYCAP, struct v4l2_capability
        Assert.Equal((nuint)0x5514, IoctlCode.Io('U', 20));          // USBDEVFS_RESET
        Assert.Equal((nuint)0x40045402, IoctlCode.Iow('T', 2, 4));   // an _IOW of an int
    }

    [Fact]
    public void Numbers_that_do_not_fit_the_layout_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => IoctlCode.Ior('W', 256, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => IoctlCode.Ior('W', 0, 1 << 14));
        Assert.Throws<ArgumentOutOfRangeException>(() => IoctlCode.Ior('W', 0, -1));
    }
}
