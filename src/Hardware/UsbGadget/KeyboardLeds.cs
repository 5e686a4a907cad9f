namespace NetbootPi.Hardware.UsbGadget;

/// <summary>The boot keyboard's output report: the LEDs the host has lit (HID Usage Tables 1.12 §11, LED page 1..5).</summary>
[Flags]
public enum KeyboardLeds : byte
{
    None = 0,
    NumLock = 0x01,
    CapsLock = 0x02,
    ScrollLock = 0x04,
    Compose = 0x08,
    Kana = 0x10,
}
