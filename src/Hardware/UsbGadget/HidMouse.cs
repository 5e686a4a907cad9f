namespace NetbootPi.Hardware.UsbGadget;

/// <summary>Mouse buttons as the pointer's report carries them (bits 0..2).</summary>
[Flags]
public enum MouseButtons : byte
{
    None = 0,
    Left = 1,
    Right = 2,
    Middle = 4,
}

/// <summary>
/// The gadget's absolute pointer: positions 0..<see cref="Max"/> on each axis, which the host maps onto its screen
/// (0,0 top left). A click is a press and a release where the pointer is.
/// </summary>
public sealed class HidMouse(IHidDevice device)
{
    public const int Max = HidDescriptors.MaxAbsolute;

    private readonly Lock _lock = new();
    private int _x;
    private int _y;

    public (int X, int Y) Position
    {
        get
        {
            lock (_lock) return (_x, _y);
        }
    }

    /// <summary>Moves the pointer to (<paramref name="x"/>, <paramref name="y"/>), then presses and releases <paramref name="click"/> there (none: only moves).</summary>
    public void MoveAndClick(int x, int y, MouseButtons click)
    {
        if (x is < 0 or > Max || y is < 0 or > Max) throw new ArgumentException($"x and y must be 0 to {Max} (not {x}, {y})");
        lock (_lock)
        {
            Send(x, y, MouseButtons.None);
            _x = x;
            _y = y;
            if (click != MouseButtons.None)
            {
                Send(x, y, click);
                Send(x, y, MouseButtons.None);
            }
        }
    }

    private void Send(int x, int y, MouseButtons buttons)
    {
        Span<byte> report = [(byte)buttons, (byte)x, (byte)(x >> 8), (byte)y, (byte)(y >> 8), 0];
        switch (device.Write(report, HidKeyboard.ReportTimeout))
        {
            case HidWrite.Sent:
                return;
            case HidWrite.NotConnected:
                throw new UsbGadgetException("the console host has not enumerated the USB gadget (the cable is out, the host is off or rebooting): the pointer did not move");
            default:
                throw new UsbGadgetException($"the console host took no pointer report for {HidKeyboard.ReportTimeout.TotalSeconds:0} s (asleep or suspended?)");
        }
    }
}
