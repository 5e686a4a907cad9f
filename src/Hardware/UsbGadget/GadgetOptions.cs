namespace NetbootPi.Hardware.UsbGadget;

/// <summary>
/// Where and as what the composite gadget is made: its configfs name, the UDC it binds to (null: the only one there
/// is), the USB serial number the host sees, and the roots of configfs and the UDC class (other roots only for tests).
/// </summary>
public sealed record GadgetOptions(string Name, string? Udc, string SerialNumber)
{
    public const string DefaultConfigFsRoot = "/sys/kernel/config/usb_gadget";
    public const string DefaultUdcRoot = "/sys/class/udc";

    public string ConfigFsRoot { get; init; } = DefaultConfigFsRoot;

    public string UdcRoot { get; init; } = DefaultUdcRoot;

    /// <summary>The gadget's folder in configfs.</summary>
    public string Folder => Path.Combine(ConfigFsRoot, Name);
}
