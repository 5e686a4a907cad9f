namespace NetbootPi.Hardware.UsbGadget;

/// <summary>
/// The medium in the virtual drive as the kernel has it (<c>lun.0/file</c>, <c>cdrom</c>, <c>ro</c>): the backing
/// file (null: no medium), the mode, read-only, and the size the host sees.
/// </summary>
public sealed record MediaState(string? File, MediaMode Mode, bool ReadOnly, long Bytes);
