namespace NetbootPi.Hardware.UsbGadget;

/// <summary>
/// How an attach went: the medium now in the drive, whether the one before had to be ejected by force (the host held
/// it locked), and a sentence when the medium is not what was asked for (an ISO too large for CD-ROM mode), else null.
/// </summary>
public sealed record MediaAttachResult(MediaState Media, bool ForcedEject, string? Message);
