namespace NetbootPi.Protocols.Dhcp.Options;

/// <summary>
/// Option 97 (RFC 4578 §2.3): a type byte (0 = UUID) and a 16-byte UUID. The Raspberry Pi 4 boot ROM
/// fills it with "RPi4" and its serial instead of a UUID, so the raw value is exposed too.
/// </summary>
public static class ClientMachineId
{
    public static ReadOnlySpan<byte> RaspberryPi4Prefix => "RPi4"u8;

    /// <summary>The UUID when the option is the RFC 4578 form (type 0, 16 bytes), as the wire's big-endian bytes.</summary>
    public static bool TryGetUuid(DhcpOptionSet options, out Guid uuid)
    {
        uuid = Guid.Empty;
        if (!options.TryGet(DhcpOptionCode.ClientMachineIdentifier, out var v) || v.Length != 17 || v[0] != 0) return false;
        uuid = new Guid(v[1..], bigEndian: true);
        return true;
    }

    /// <summary>
    /// True when the option (after the type byte, if any) begins with "RPi4" — how the Pi 4 boot ROM
    /// identifies itself.
    /// </summary>
    public static bool IsRaspberryPi4(DhcpOptionSet options)
    {
        if (!options.TryGet(DhcpOptionCode.ClientMachineIdentifier, out var v)) return false;
        return v.StartsWith(RaspberryPi4Prefix) || (v.Length > 0 && v[1..].StartsWith(RaspberryPi4Prefix));
    }
}
