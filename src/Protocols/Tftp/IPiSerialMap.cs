namespace NetbootPi.Protocols.Tftp;

/// <summary>Which host a Raspberry Pi serial number belongs to; supplied by the agent from the site file.</summary>
public interface IPiSerialMap
{
    /// <summary>
    /// The directory (relative to the TFTP root) of the host whose serial is <paramref name="serial"/>, eight
    /// lower-case hex digits; null when the site does not know this serial.
    /// </summary>
    string? GetHostDirectory(string serial);
}
