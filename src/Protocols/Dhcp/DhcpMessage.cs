using System.Text;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dhcp;

/// <summary>
/// One DHCPv4 message (RFC 2131 §2, figure 1): the fixed BOOTP header plus its options. Mutable and reusable:
/// a receive loop keeps one instance and parses each datagram into it; the engine keeps one for replies.
/// </summary>
public sealed class DhcpMessage
{
    /// <summary>op … file: the fixed header before the magic cookie (RFC 2131 §2).</summary>
    public const int HeaderLength = 236;
    /// <summary>Header plus the magic cookie: where the options field starts.</summary>
    public const int OptionsOffset = 240;
    public const int ServerNameOffset = 44;
    public const int ServerNameLength = 64;
    public const int FileOffset = 108;
    public const int FileLength = 128;
    public const int ClientHardwareAddressLength = 16;
    /// <summary>RFC 2131 §2: every client must accept 576-byte IP datagrams, i.e. 548 bytes of DHCP payload.</summary>
    public const int MinimumMaximumMessageSize = 576;
    /// <summary>IPv4 (no options) and UDP headers that option 57 counts but the DHCP payload does not contain.</summary>
    public const int IpUdpHeaderLength = 28;
    public static ReadOnlySpan<byte> MagicCookie => [99, 130, 83, 99];

    private readonly byte[] _chaddr = new byte[ClientHardwareAddressLength];
    private readonly byte[] _sname = new byte[ServerNameLength];
    private readonly byte[] _file = new byte[FileLength];

    public DhcpOperation Operation { get; set; }
    /// <summary><c>htype</c>: 1 for Ethernet (RFC 1700 ARP hardware types).</summary>
    public byte HardwareType { get; set; }
    /// <summary><c>hlen</c>: 6 for Ethernet; at most 16.</summary>
    public byte HardwareAddressLength { get; set; }
    public byte Hops { get; set; }
    public uint TransactionId { get; set; }
    public ushort Seconds { get; set; }
    public ushort Flags { get; set; }
    public Ipv4Address ClientAddress { get; set; }
    public Ipv4Address YourAddress { get; set; }
    public Ipv4Address NextServerAddress { get; set; }
    public Ipv4Address GatewayAddress { get; set; }

    /// <summary>The value of option 52 the message was parsed with (0 when the fields hold names, not options).</summary>
    public byte Overload { get; internal set; }

    public DhcpOptionSet Options { get; } = new();

    /// <summary>RFC 2131 §2: the leftmost bit of <c>flags</c> asks for a broadcast reply.</summary>
    public bool IsBroadcast
    {
        get => (Flags & 0x8000) != 0;
        set => Flags = value ? (ushort)(Flags | 0x8000) : (ushort)(Flags & 0x7FFF);
    }

    /// <summary>All 16 bytes of <c>chaddr</c>; the address proper is the first <see cref="HardwareAddressLength"/>.</summary>
    public Span<byte> ClientHardwareAddressField => _chaddr;

    /// <summary>The 64-byte <c>sname</c> field as received or to be sent.</summary>
    public Span<byte> ServerNameField => _sname;

    /// <summary>The 128-byte <c>file</c> field as received or to be sent.</summary>
    public Span<byte> FileField => _file;

    public bool IsEthernet => HardwareType == 1 && HardwareAddressLength == MacAddress.Length;

    /// <summary>The client's MAC; only meaningful when <see cref="IsEthernet"/>.</summary>
    public MacAddress ClientMac => MacAddress.FromBytes(_chaddr.AsSpan(0, MacAddress.Length));

    public DhcpMessageType MessageType =>
        Options.TryGetByte(DhcpOptionCode.MessageType, out var t) ? (DhcpMessageType)t : DhcpMessageType.None;

    /// <summary>The <c>file</c> field as a NUL-terminated string; empty when it carries options (overload).</summary>
    public string BootFileName
    {
        get => (Overload & 1) != 0 ? "" : ReadCString(_file);
        set => WriteCString(_file, value, nameof(BootFileName));
    }

    /// <summary>The <c>sname</c> field as a NUL-terminated string; empty when it carries options (overload).</summary>
    public string ServerName
    {
        get => (Overload & 2) != 0 ? "" : ReadCString(_sname);
        set => WriteCString(_sname, value, nameof(ServerName));
    }

    /// <summary>Forgets everything, so the instance can be filled as a new message.</summary>
    public void Clear()
    {
        Operation = 0;
        HardwareType = HardwareAddressLength = Hops = 0;
        TransactionId = 0;
        Seconds = Flags = 0;
        ClientAddress = YourAddress = NextServerAddress = GatewayAddress = Ipv4Address.Any;
        Overload = 0;
        Array.Clear(_chaddr);
        Array.Clear(_sname);
        Array.Clear(_file);
        Options.Clear();
    }

    /// <summary>Parses <paramref name="packet"/> (a UDP payload) into this instance; see <see cref="DhcpMessageParser"/>.</summary>
    public DhcpParseError Parse(ReadOnlySpan<byte> packet) => DhcpMessageParser.Parse(packet, this);

    private static string ReadCString(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? field : field[..end]);
    }

    private static void WriteCString(Span<byte> field, string value, string name)
    {
        // The last byte stays NUL so that clients reading a C string always find its end.
        if (Encoding.UTF8.GetByteCount(value) > field.Length - 1)
            throw new ArgumentException($"{name} '{value}' does not fit in {field.Length - 1} bytes", name);
        field.Clear();
        Encoding.UTF8.GetBytes(value, field);
    }
}
