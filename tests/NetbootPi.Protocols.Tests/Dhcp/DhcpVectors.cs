namespace NetbootPi.Protocols.Tests.Dhcp;

/// <summary>Hand-annotated packets shared by the codec tests.</summary>
internal static class DhcpVectors
{
    /// <summary>The fixed header of a DISCOVER from 52:54:00:12:34:56, xid 0x3903F326, broadcast flag set.</summary>
    public static byte[] DiscoverHeader() =>
    [
        0x01,                   // op: BOOTREQUEST
        0x01,                   // htype: Ethernet
        0x06,                   // hlen: 6
        0x00,                   // hops
        0x39, 0x03, 0xF3, 0x26, // xid
        0x00, 0x04,             // secs: 4
        0x80, 0x00,             // flags: broadcast
        0, 0, 0, 0,             // ciaddr
        0, 0, 0, 0,             // yiaddr
        0, 0, 0, 0,             // siaddr
        0, 0, 0, 0,             // giaddr
        0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // chaddr (16)
        .. new byte[64],        // sname
        .. new byte[128],       // file
        99, 130, 83, 99,        // magic cookie
    ];

    /// <summary>A PXE DISCOVER as a UEFI x64 firmware sends it (option values trimmed to the interesting ones).</summary>
    public static byte[] PxeDiscover() =>
    [
        .. DiscoverHeader(),
        53, 1, 1,                                   // message type: DISCOVER
        57, 2, 0x05, 0xC0,                          // max message size: 1472
        55, 7, 1, 3, 6, 43, 60, 66, 67,             // parameter request list
        93, 2, 0x00, 0x07,                          // client arch: EFI BC
        94, 3, 1, 3, 0,                             // client NDI: UNDI 3.0
        97, 17, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, // machine id: UUID
        60, 32, .. "PXEClient:Arch:00007:UNDI:003000"u8, // vendor class
        255,                                        // end
    ];

    /// <summary>Builds header + options + END (no padding) for tests that vary the options.</summary>
    public static byte[] WithOptions(params byte[] options) => [.. DiscoverHeader(), .. options, 255];
}
