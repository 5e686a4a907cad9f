namespace NetbootPi.Hardware.UsbGadget;

/// <summary>How writing one HID input report went.</summary>
public enum HidWrite
{
    /// <summary>Queued for the host to poll.</summary>
    Sent,

    /// <summary>The host has not configured the gadget (unplugged, off, rebooting): nothing to send to.</summary>
    NotConnected,

    /// <summary>The host did not take the report before it within the time given (a suspended host stops polling).</summary>
    TimedOut,
}

/// <summary>One HID function's report device: input reports to the host, output reports (a keyboard's LEDs) from it.</summary>
public interface IHidDevice : IDisposable
{
    string Path { get; }

    /// <summary>Sends one input report, waiting at most <paramref name="timeout"/> for the host to have taken the one before.</summary>
    HidWrite Write(ReadOnlySpan<byte> report, TimeSpan timeout);

    /// <summary>One output report from the host into <paramref name="buffer"/>: its length, or 0 when none came within <paramref name="timeout"/>.</summary>
    int Read(Span<byte> buffer, TimeSpan timeout);
}
