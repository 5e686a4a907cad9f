namespace NetbootPi.Protocols.Dhcp.Options;

/// <summary>Option 60 (RFC 2132 §9.13) as PXE and UEFI HTTP boot clients send it.</summary>
public static class VendorClass
{
    /// <summary>PXE 2.1 §2.2: PXE clients send "PXEClient:Arch:xxxxx:UNDI:yyyzzz"; the prefix is what counts.</summary>
    public static ReadOnlySpan<byte> PxeClient => "PXEClient"u8;

    /// <summary>UEFI 2.x HTTP boot clients send "HTTPClient:Arch:…".</summary>
    public static ReadOnlySpan<byte> HttpClient => "HTTPClient"u8;

    public static bool IsPxeClient(DhcpOptionSet options) =>
        options.TryGet(DhcpOptionCode.VendorClassIdentifier, out var v) && v.StartsWith(PxeClient);

    public static bool IsHttpClient(DhcpOptionSet options) =>
        options.TryGet(DhcpOptionCode.VendorClassIdentifier, out var v) && v.StartsWith(HttpClient);
}
