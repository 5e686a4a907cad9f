namespace NetbootPi.Protocols.Dhcp.Options;

/// <summary>
/// Option 93 (RFC 4578 §2.1) processor architecture types, as registered by IANA ("Processor Architecture Types").
/// </summary>
public static class ClientArchitecture
{
    public const ushort X86Bios = 0;
    public const ushort EfiIa32 = 6;
    public const ushort EfiBc = 7;
    public const ushort EfiX64 = 9;
    public const ushort EfiArm64 = 11;
    public const ushort EfiX64Http = 16;
    public const ushort EfiArm64Http = 19;

    /// <summary>The first (preferred) architecture the client listed; false when option 93 is absent.</summary>
    public static bool TryGetFirst(DhcpOptionSet options, out ushort architecture)
    {
        architecture = 0;
        if (!options.TryGet(DhcpOptionCode.ClientSystemArchitecture, out var v) || v.Length < 2) return false;
        architecture = (ushort)(v[0] << 8 | v[1]);
        return true;
    }

    /// <summary>UEFI HTTP boot clients (they expect an http:// URL and option 60 "HTTPClient" echoed).</summary>
    public static bool IsHttpBoot(ushort architecture) => architecture is 15 or EfiX64Http or 18 or EfiArm64Http;
}
