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
/// <remarks>A class, not a struct: generic code over it (lists, tables) is then shared in the NativeAOT build.</remarks>
public sealed class KeyStroke(KeyModifiers modifiers, byte[] keys)
{
    public const int MaxKeys = 6;

    public static readonly KeyStroke None = new(KeyModifiers.None, []);

    public KeyModifiers Modifiers { get; } = modifiers;

    public byte[] Keys { get; } = keys;

    /// <summary>Both pressed at once: the modifiers of either, their keys without repeats, at most <see cref="MaxKeys"/>.</summary>
    public KeyStroke With(KeyStroke other)
    {
        Span<byte> keys = stackalloc byte[MaxKeys];
        var n = 0;
        foreach (var source in (ReadOnlySpan<byte[]>)[Keys, other.Keys])
            foreach (var k in source)
                if (n < MaxKeys && !keys[..n].Contains(k)) keys[n++] = k;
        return new KeyStroke(Modifiers | other.Modifiers, keys[..n].ToArray());
    }

    /// <summary>These keys with <paramref name="other"/>'s let go: its modifiers and keys taken out.</summary>
    public KeyStroke Without(KeyStroke other) => new(Modifiers & ~other.Modifiers, Array.FindAll(Keys, k => Array.IndexOf(other.Keys, k) < 0));

    /// <summary>The 8-byte boot report with these keys down.</summary>
    public void WriteReport(Span<byte> report)
    {
        report.Clear();
        report[0] = (byte)Modifiers;
        for (var i = 0; i < Keys.Length && i < MaxKeys; i++) report[2 + i] = Keys[i];
    }
}
