namespace NetbootPi.Hardware.UsbGadget;

/// <summary>
/// The composite USB gadget the box is to its console host: one removable mass-storage drive, a boot-protocol
/// keyboard and an absolute pointer, bound to the UDC once for its whole life. Disposing it tears it down (the host
/// sees the device unplugged).
/// </summary>
/// <remarks>
/// Media change without rebinding the UDC: the host keeps its keyboard while a medium is swapped. <see cref="Attach"/>
/// and <see cref="Eject"/> follow the kernel's rules for <c>lun.0</c> (docs/console.md): eject by an empty
/// <c>file</c>, <c>forced_eject</c> when the host has locked the medium (EBUSY), mode and read-only changed only while
/// no file is set. Calls may come from several threads; media calls run one at a time.
/// </remarks>
public interface IUsbGadget : IDisposable
{
    /// <summary>The UDC it is bound to (<c>fe980000.usb</c> on a Pi 4, <c>dummy_udc.0</c> in the lab).</summary>
    string Udc { get; }

    /// <summary>The UDC's state as the kernel reports it: <c>configured</c> once the host has enumerated the gadget, <c>not attached</c>, <c>suspended</c>...</summary>
    string UdcState { get; }

    /// <summary>The medium in the drive now.</summary>
    MediaState Media { get; }

    /// <summary>Puts <paramref name="file"/> in the drive, ejecting what was there.</summary>
    /// <exception cref="UsbGadgetException">The file or mode was refused; the drive is then empty.</exception>
    MediaAttachResult Attach(string file, MediaMode mode, bool readOnly);

    /// <summary>Empties the drive; true when the host had it locked and it was ejected by force.</summary>
    bool Eject();

    /// <summary>The keyboard's report device (<c>/dev/hidgN</c>).</summary>
    IHidDevice Keyboard { get; }

    /// <summary>The pointer's report device.</summary>
    IHidDevice Mouse { get; }
}
