namespace NetbootPi.Hardware.UsbGadget;

/// <summary>How the mass-storage LUN presents its backing file: a CD-ROM (2048-byte sectors, always read-only) or a removable disk.</summary>
public enum MediaMode { Disk, CdRom }
