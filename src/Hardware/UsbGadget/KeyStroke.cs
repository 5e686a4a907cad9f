namespace NetbootPi.Hardware.UsbGadget;

/// <summary>The modifier byte of a boot keyboard report (HID 1.11 Appendix B.1; usages 0xE0..0xE7 as bits).</summary>
[Flags]
public enum KeyModifiers : byte
{
    None = 0,
    LeftCtrl = 0x01,
    LeftShift = 0x02,
    LeftAlt = 0x04,
    LeftGui = 0x08,
    RightCtrl = 0x10,
    RightShift = 0x20,
    RightAlt = 0x40,
    RightGui = 0x80,
}

/// <summary>
/// Keys pressed together: modifiers and up to six key usages (HID Usage Tables 1.12 §10, Keyboard/Keypad page), as one
/// boot report carries them.
/// </summary>
public readonly record struct KeyStroke(KeyModifiers Modifiers, byte[] Keys)
{
    public const int MaxKeys = 6;

    /// <summary>The 8-byte boot report with these keys down.</summary>
    public void WriteReport(Span<byte> report)
    {
        report.Clear();
        report[0] = (byte)Modifiers;
        for (var i = 0; i < Keys.Length && i < MaxKeys; i++) report[2 + i] = Keys[i];
    }
}
