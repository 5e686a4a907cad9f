using System.Globalization;
using NetbootPi.Hardware.Interop;

namespace NetbootPi.Hardware.UsbGadget;

// The virtual drive: lun.0 of the mass_storage function, changed without rebinding the UDC.
public sealed partial class ConfigFsGadget
{
    /// <summary>
    /// The most sectors of 2048 bytes the kernel's CD-ROM emulation addresses: fsg_lun_open()
    /// (drivers/usb/gadget/function/storage_common.c) cuts a larger file to 256*60*75 - 1 sectors without failing,
    /// so a larger ISO would show the host a truncated disc.
    /// </summary>
    public const long CdRomMaxSectors = 256 * 60 * 75 - 1;

    public const long CdRomMaxBytes = CdRomMaxSectors * 2048;

    /// <summary>fsg_lun_open() refuses a CD-ROM smaller than one track of 300 frames.</summary>
    public const long CdRomMinBytes = 300 * 2048;

    private string Lun => Path.Combine(_options.Folder, "functions", StorageFunction, "lun.0");

    public MediaState Media
    {
        get
        {
            lock (_media) return ReadMedia();
        }
    }

    public MediaAttachResult Attach(string file, MediaMode mode, bool readOnly)
    {
        var info = new FileInfo(file);
        if (!info.Exists) throw new UsbGadgetException($"{file}: no such file");
        string? message = null;
        if (mode == MediaMode.CdRom && info.Length > CdRomMaxBytes)
        {
            mode = MediaMode.Disk;
            readOnly = true;
            message = $"{Path.GetFileName(file)} is {Size(info.Length)}, more than the {Size(CdRomMaxBytes)} ({CdRomMaxSectors.ToString("N0", CultureInfo.InvariantCulture)} sectors) the kernel's CD-ROM emulation addresses: attached as a removable read-only disk instead (a hybrid ISO boots that way; a CD-only ISO does not)";
        }
        if (mode == MediaMode.CdRom && info.Length < CdRomMinBytes)
            throw new UsbGadgetException($"{file} is {info.Length.ToString("N0", CultureInfo.InvariantCulture)} bytes, less than the {CdRomMinBytes.ToString("N0", CultureInfo.InvariantCulture)} (one 300-frame track) the kernel's CD-ROM emulation needs: attach it as a disk");
        if (mode == MediaMode.Disk && info.Length < 512)
            throw new UsbGadgetException($"{file} is {info.Length} bytes, less than one 512-byte sector");
        if (mode == MediaMode.CdRom) readOnly = true;
        lock (_media)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var forced = EjectLocked();
            // cdrom and ro are refused (EBUSY) while a file is set: the drive is empty here. Writing cdrom sets ro
            // to match it, so ro comes second.
            ConfigFs.Write(Path.Combine(Lun, "cdrom"), mode == MediaMode.CdRom ? "1" : "0", "CD-ROM mode");
            if (mode == MediaMode.Disk) ConfigFs.Write(Path.Combine(Lun, "ro"), readOnly ? "1" : "0", "read-only");
            var errno = ConfigFs.TryWrite(Path.Combine(Lun, "file"), file);
            if (errno != 0)
                throw new UsbGadgetException(errno switch
                {
                    Libc.EACCES or Libc.EPERM => $"{file}: the kernel cannot open it {(readOnly ? "" : "for writing ")}({ConfigFs.Reason(errno)}); check its mode{(readOnly ? "" : ", or attach it read-only")}",
                    _ => $"{file}: the kernel refused it as a {(mode == MediaMode.CdRom ? "CD-ROM" : "disk")}: {ConfigFs.Reason(errno)} (the kernel's log says more: dmesg)",
                }, errno);
            return new MediaAttachResult(ReadMedia(), forced, message);
        }
    }

    public bool Eject()
    {
        lock (_media)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return EjectLocked();
        }
    }

    /// <summary>
    /// An empty <c>file</c> ejects; EBUSY means the host sent PREVENT MEDIUM REMOVAL (it has the disk open), and
    /// <c>forced_eject</c> ejects regardless: the host then sees the medium gone, as with a CD pulled out.
    /// </summary>
    private bool EjectLocked()
    {
        var file = Path.Combine(Lun, "file");
        if ((ConfigFs.Read(file) ?? "").Length == 0) return false;
        var errno = ConfigFs.TryWrite(file, "");
        if (errno == 0) return false;
        if (errno != Libc.EBUSY) throw new UsbGadgetException($"{file}: ejecting failed: {ConfigFs.Reason(errno)}", errno);
        ConfigFs.Write(Path.Combine(Lun, "forced_eject"), "1", "forced eject of a medium the host has locked");
        return true;
    }

    private MediaState ReadMedia()
    {
        var file = ConfigFs.Read(Path.Combine(Lun, "file")) is { Length: > 0 } f ? f : null;
        var cdrom = ConfigFs.Read(Path.Combine(Lun, "cdrom")) == "1";
        var ro = ConfigFs.Read(Path.Combine(Lun, "ro")) == "1";
        long bytes = 0;
        if (file is not null && File.Exists(file))
            bytes = cdrom ? Math.Min(new FileInfo(file).Length / 2048, CdRomMaxSectors) * 2048 : new FileInfo(file).Length / 512 * 512;
        return new MediaState(file, cdrom ? MediaMode.CdRom : MediaMode.Disk, ro, bytes);
    }

    private static string Size(long bytes) => bytes >= 1L << 30
        ? (bytes / (double)(1L << 30)).ToString("0.##", CultureInfo.InvariantCulture) + " GiB"
        : (bytes / (double)(1L << 20)).ToString("0.#", CultureInfo.InvariantCulture) + " MiB";
}
