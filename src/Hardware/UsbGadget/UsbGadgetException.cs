namespace NetbootPi.Hardware.UsbGadget;

/// <summary>
/// The USB gadget could not be built, bound, torn down, or could not do what was asked of it (attach a medium, send a
/// report); the message names the configfs path or device and what to check.
/// </summary>
public sealed class UsbGadgetException(string message, int errno = 0) : Exception(message)
{
    /// <summary>The errno behind it, or 0.</summary>
    public int Errno { get; } = errno;
}
