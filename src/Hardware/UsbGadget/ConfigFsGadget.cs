using System.Globalization;

namespace NetbootPi.Hardware.UsbGadget;

/// <summary>
/// <see cref="IUsbGadget"/> through configfs (<c>/sys/kernel/config/usb_gadget</c>, libcomposite): the gadget's
/// folder, its strings, one configuration with the keyboard, the pointer and the mass-storage drive linked in that
/// order (the keyboard is interface 0, which some firmware only looks at), bound to the UDC once.
/// </summary>
public sealed partial class ConfigFsGadget : IUsbGadget
{
    private const string Config = "configs/c.1";
    private const string KeyboardFunction = "hid.keyboard";
    private const string MouseFunction = "hid.mouse";
    private const string StorageFunction = "mass_storage.media";
    private const string English = "strings/0x409";

    private readonly GadgetOptions _options;
    private readonly Lock _media = new();
    private LinuxHidDevice? _keyboard;
    private LinuxHidDevice? _mouse;
    private bool _disposed;

    private ConfigFsGadget(GadgetOptions options, string udc)
    {
        _options = options;
        Udc = udc;
    }

    public string Udc { get; }

    public string UdcState => ConfigFs.Read(Path.Combine(_options.UdcRoot, Udc, "state")) ?? "gone";

    public IHidDevice Keyboard => _keyboard ?? throw new ObjectDisposedException(nameof(ConfigFsGadget));

    public IHidDevice Mouse => _mouse ?? throw new ObjectDisposedException(nameof(ConfigFsGadget));

    /// <summary>
    /// Builds the gadget and binds it. A gadget of the same name left by an agent that did not stop cleanly is torn
    /// down first. What cannot be done is a <see cref="UsbGadgetException"/> naming the path and what to check, and
    /// nothing is left behind.
    /// </summary>
    public static ConfigFsGadget Create(GadgetOptions options)
    {
        if (!Directory.Exists(options.ConfigFsRoot))
            throw new UsbGadgetException($"{options.ConfigFsRoot} is missing: configfs is not mounted or libcomposite is not loaded (modprobe libcomposite)");
        var udc = ChooseUdc(options);
        if (Directory.Exists(options.Folder)) TearDown(options.Folder);
        var gadget = new ConfigFsGadget(options, udc);
        try
        {
            gadget.Build();
            return gadget;
        }
        catch
        {
            gadget.Dispose();
            throw;
        }
    }

    private static string ChooseUdc(GadgetOptions options)
    {
        var present = Directory.Exists(options.UdcRoot)
            ? Directory.GetFileSystemEntries(options.UdcRoot).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray()
            : [];
        if (options.Udc is { } wanted)
        {
            if (present.Contains(wanted, StringComparer.Ordinal)) return wanted;
            throw new UsbGadgetException($"no USB device controller {wanted} in {options.UdcRoot} (there {(present.Length == 0 ? "is none" : "are " + string.Join(", ", present))}; on a Pi 4: dtoverlay=dwc2,dr_mode=peripheral in config.txt)");
        }
        return present.Length switch
        {
            1 => present[0],
            0 => throw new UsbGadgetException($"no USB device controller in {options.UdcRoot}: on a Pi 4 the USB-C port needs dtoverlay=dwc2,dr_mode=peripheral in config.txt and the dwc2 module"),
            _ => throw new UsbGadgetException($"{present.Length} USB device controllers in {options.UdcRoot} ({string.Join(", ", present)}): name one with kvm.udc"),
        };
    }

    private void Build()
    {
        var g = _options.Folder;
        Directory.CreateDirectory(g);
        Write("idVendor", "0x1d6b", "Linux Foundation");
        Write("idProduct", "0x0104", "Multifunction Composite Gadget");
        Write("bcdDevice", "0x0100", "device release");
        Write("bcdUSB", "0x0200", "USB 2.0");
        Directory.CreateDirectory(Path.Combine(g, English));
        Write($"{English}/manufacturer", "NetbootPi", "manufacturer");
        Write($"{English}/product", "NetbootPi console", "product");
        Write($"{English}/serialnumber", _options.SerialNumber, "serial number");

        Function(KeyboardFunction, protocol: 1, subclass: 1, HidDescriptors.KeyboardReportLength, HidDescriptors.Keyboard);
        Function(MouseFunction, protocol: 0, subclass: 0, HidDescriptors.MouseReportLength, HidDescriptors.Mouse);
        var storage = Path.Combine(g, "functions", StorageFunction);
        Directory.CreateDirectory(storage);
        Write($"functions/{StorageFunction}/lun.0/removable", "1", "a removable drive");
        Write($"functions/{StorageFunction}/lun.0/ro", "1", "read-only until a medium asks otherwise");

        Directory.CreateDirectory(Path.Combine(g, Config, English));
        Write($"{Config}/{English}/configuration", "NetbootPi console", "configuration name");
        Write($"{Config}/MaxPower", "100", "bus power drawn, mA");
        foreach (var f in new[] { KeyboardFunction, MouseFunction, StorageFunction })
            File.CreateSymbolicLink(Path.Combine(g, Config, f), Path.Combine(g, "functions", f));

        Write("UDC", Udc, "bind to the USB device controller");
        // f_hid makes its /dev/hidgN when the function is bound, not when it is made.
        _keyboard = LinuxHidDevice.Open(DeviceOf(KeyboardFunction));
        _mouse = LinuxHidDevice.Open(DeviceOf(MouseFunction));
    }

    private void Function(string name, int protocol, int subclass, int reportLength, ReadOnlySpan<byte> descriptor)
    {
        Directory.CreateDirectory(Path.Combine(_options.Folder, "functions", name));
        Write($"functions/{name}/protocol", protocol.ToString(CultureInfo.InvariantCulture), "HID protocol");
        Write($"functions/{name}/subclass", subclass.ToString(CultureInfo.InvariantCulture), "HID subclass");
        Write($"functions/{name}/report_length", reportLength.ToString(CultureInfo.InvariantCulture), "report length");
        ConfigFs.Write(Path.Combine(_options.Folder, "functions", name, "report_desc"), descriptor, "the report descriptor");
    }

    /// <summary>The function's <c>/dev/hidgN</c>, found from its <c>dev</c> (major:minor) through sysfs, so without udev.</summary>
    private string DeviceOf(string function)
    {
        var dev = ConfigFs.Read(Path.Combine(_options.Folder, "functions", function, "dev"))
            ?? throw new UsbGadgetException($"{_options.Folder}/functions/{function}/dev cannot be read (is usb_f_hid loaded?)");
        var uevent = ConfigFs.Read($"/sys/dev/char/{dev}/uevent") ?? "";
        var name = uevent.Split('\n').FirstOrDefault(l => l.StartsWith("DEVNAME=", StringComparison.Ordinal))?["DEVNAME=".Length..]
            ?? throw new UsbGadgetException($"no device node for {function} (char {dev}): /sys/dev/char/{dev}/uevent has no DEVNAME");
        return Path.Combine("/dev", name);
    }

    private void Write(string relative, string value, string what) => ConfigFs.Write(Path.Combine(_options.Folder, relative), value, what);

    /// <summary>
    /// Unbinds and removes the gadget in the order configfs allows: the UDC, the medium, the functions' links in
    /// the configuration, the configuration's strings and itself, the functions, the strings, the folder.
    /// </summary>
    private static void TearDown(string g)
    {
        if (File.Exists(Path.Combine(g, "UDC")) && (ConfigFs.Read(Path.Combine(g, "UDC")) ?? "").Length > 0)
            ConfigFs.TryWrite(Path.Combine(g, "UDC"), "");
        foreach (var lun in Directory.Exists(Path.Combine(g, "functions")) ? Directory.GetDirectories(Path.Combine(g, "functions"), "mass_storage.*") : [])
        {
            var file = Path.Combine(lun, "lun.0", "file");
            if (ConfigFs.TryWrite(file, "") == Interop.Libc.EBUSY) ConfigFs.TryWrite(Path.Combine(lun, "lun.0", "forced_eject"), "1");
        }
        foreach (var config in Directory.Exists(Path.Combine(g, "configs")) ? Directory.GetDirectories(Path.Combine(g, "configs")) : [])
        {
            foreach (var link in Directory.GetFileSystemEntries(config).Where(e => new FileInfo(e).LinkTarget is not null)) File.Delete(link);
            foreach (var s in Directory.Exists(Path.Combine(config, "strings")) ? Directory.GetDirectories(Path.Combine(config, "strings")) : []) Remove(s);
            Remove(config);
        }
        foreach (var f in Directory.Exists(Path.Combine(g, "functions")) ? Directory.GetDirectories(Path.Combine(g, "functions")) : []) Remove(f);
        foreach (var s in Directory.Exists(Path.Combine(g, "strings")) ? Directory.GetDirectories(Path.Combine(g, "strings")) : []) Remove(s);
        Remove(g);
    }

    // configfs folders are removed with rmdir(2) while they still list their attributes: Directory.Delete (not recursive) is that.
    private static void Remove(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: false);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException e)
        {
            throw new UsbGadgetException($"{folder}: cannot remove it: {e.Message}");
        }
    }

    public void Dispose()
    {
        lock (_media)
        {
            if (_disposed) return;
            _disposed = true;
        }
        _keyboard?.Dispose();
        _mouse?.Dispose();
        _keyboard = null;
        _mouse = null;
        if (Directory.Exists(_options.Folder)) TearDown(_options.Folder);
    }
}
