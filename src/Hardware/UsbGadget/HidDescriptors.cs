namespace NetbootPi.Hardware.UsbGadget;

/// <summary>The report descriptors of the gadget's two HID functions (HID 1.11 §6.2.2; usages from HID Usage Tables 1.12).</summary>
internal static class HidDescriptors
{
    /// <summary>The keyboard's input and output reports are the boot protocol's (HID 1.11 Appendix B.1), so that a BIOS that knows no report descriptors types with it.</summary>
    public const int KeyboardReportLength = 8;

    /// <summary>Buttons (1 byte), X and Y (2 bytes each, 0..32767), wheel (1 byte, relative).</summary>
    public const int MouseReportLength = 6;

    public const int MaxAbsolute = 32767;

    /// <summary>HID 1.11 Appendix E.6, the boot keyboard's descriptor: 8 modifier bits, a reserved byte, 5 LED bits out, 6 key codes.</summary>
    public static ReadOnlySpan<byte> Keyboard =>
    [
        0x05, 0x01, // Usage Page (Generic Desktop)
        0x09, 0x06, // Usage (Keyboard)
        0xa1, 0x01, // Collection (Application)
        0x05, 0x07, //   Usage Page (Keyboard/Keypad)
        0x19, 0xe0, 0x29, 0xe7, // Usage Minimum (Left Control), Maximum (Right GUI)
        0x15, 0x00, 0x25, 0x01, // Logical 0..1
        0x75, 0x01, 0x95, 0x08, // 8 bits
        0x81, 0x02, //   Input (Data, Variable, Absolute): the modifiers
        0x95, 0x01, 0x75, 0x08, // one byte
        0x81, 0x03, //   Input (Constant): reserved
        0x95, 0x05, 0x75, 0x01, // 5 bits
        0x05, 0x08, //   Usage Page (LEDs)
        0x19, 0x01, 0x29, 0x05, // Num Lock .. Kana
        0x91, 0x02, //   Output (Data, Variable, Absolute)
        0x95, 0x01, 0x75, 0x03, // 3 bits
        0x91, 0x03, //   Output (Constant): padding
        0x95, 0x06, 0x75, 0x08, // 6 bytes
        0x15, 0x00, 0x25, 0x65, // Logical 0..101
        0x05, 0x07, //   Usage Page (Keyboard/Keypad)
        0x19, 0x00, 0x29, 0x65, // Usage 0..101
        0x81, 0x00, //   Input (Data, Array): the keys down
        0xc0,       // End Collection
    ];

    /// <summary>
    /// An absolute pointer: the host maps 0..32767 onto its screen, so a click lands where it is aimed whatever the
    /// host's pointer acceleration (a relative mouse drifts). No boot protocol: BIOS setup screens use the keyboard.
    /// </summary>
    public static ReadOnlySpan<byte> Mouse =>
    [
        0x05, 0x01, // Usage Page (Generic Desktop)
        0x09, 0x02, // Usage (Mouse)
        0xa1, 0x01, // Collection (Application)
        0x09, 0x01, //   Usage (Pointer)
        0xa1, 0x00, //   Collection (Physical)
        0x05, 0x09, //     Usage Page (Buttons)
        0x19, 0x01, 0x29, 0x03, // Buttons 1..3
        0x15, 0x00, 0x25, 0x01, // Logical 0..1
        0x95, 0x03, 0x75, 0x01, // 3 bits
        0x81, 0x02, //     Input (Data, Variable, Absolute)
        0x95, 0x01, 0x75, 0x05, // 5 bits
        0x81, 0x03, //     Input (Constant): padding
        0x05, 0x01, //     Usage Page (Generic Desktop)
        0x09, 0x30, 0x09, 0x31, // X, Y
        0x16, 0x00, 0x00, 0x26, 0xff, 0x7f, // Logical 0..32767
        0x75, 0x10, 0x95, 0x02, // 2 x 16 bits
        0x81, 0x02, //     Input (Data, Variable, Absolute)
        0x09, 0x38, //     Usage (Wheel)
        0x15, 0x81, 0x25, 0x7f, // Logical -127..127
        0x75, 0x08, 0x95, 0x01, // 8 bits
        0x81, 0x06, //     Input (Data, Variable, Relative)
        0xc0,       //   End Collection
        0xc0,       // End Collection
    ];
}
