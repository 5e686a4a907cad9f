using System.Buffers.Binary;
using System.Text;
using NetbootPi.Protocols.Dhcp.Options;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dhcp;

/// <summary>
/// Renders a message as stable, line-oriented text: debug logs, and the golden files the codec tests compare
/// captured packets against.
/// </summary>
public static class DhcpMessageFormatter
{
    public static string Format(DhcpMessage m)
    {
        var sb = new StringBuilder();
        sb.Append("op: ").Append(m.Operation).AppendLine();
        sb.Append("htype: ").Append(m.HardwareType).Append(", hlen: ").Append(m.HardwareAddressLength)
          .Append(", hops: ").Append(m.Hops).AppendLine();
        sb.Append("xid: 0x").Append(m.TransactionId.ToString("x8")).Append(", secs: ").Append(m.Seconds)
          .Append(", flags: 0x").Append(m.Flags.ToString("x4")).Append(m.IsBroadcast ? " (broadcast)" : "").AppendLine();
        sb.Append("ciaddr: ").Append(m.ClientAddress).Append(", yiaddr: ").Append(m.YourAddress)
          .Append(", siaddr: ").Append(m.NextServerAddress).Append(", giaddr: ").Append(m.GatewayAddress).AppendLine();
        sb.Append("chaddr: ").Append(Hex(m.ClientHardwareAddressField[..Math.Min((int)m.HardwareAddressLength, 16)])).AppendLine();
        sb.Append("sname: \"").Append(m.ServerName).Append("\", file: \"").Append(m.BootFileName).Append('"');
        if (m.Overload != 0) sb.Append(", overload: ").Append(m.Overload);
        sb.AppendLine();
        for (var k = 0; k < m.Options.Count; k++)
        {
            var code = m.Options.CodeAt(k);
            m.Options.TryGet(code, out var v);
            sb.Append("option ").Append((byte)code).Append(' ').Append(Name(code)).Append(": ").Append(Value(code, v)).AppendLine();
        }
        return sb.ToString();
    }

    private static string Name(DhcpOptionCode code) => Enum.IsDefined(code) ? code.ToString() : "?";

    private static string Value(DhcpOptionCode code, ReadOnlySpan<byte> v)
    {
        switch (code)
        {
            case DhcpOptionCode.MessageType when v.Length == 1:
                return ((DhcpMessageType)v[0]).ToString();
            case DhcpOptionCode.SubnetMask or DhcpOptionCode.Router or DhcpOptionCode.DomainNameServer
                or DhcpOptionCode.BroadcastAddress or DhcpOptionCode.RequestedIpAddress or DhcpOptionCode.ServerIdentifier
                when v.Length > 0 && v.Length % 4 == 0:
                var addresses = new string[v.Length / 4];
                for (var i = 0; i < addresses.Length; i++) addresses[i] = Ipv4Address.Read(v[(4 * i)..]).ToString();
                return string.Join(", ", addresses);
            case DhcpOptionCode.LeaseTime or DhcpOptionCode.RenewalTime or DhcpOptionCode.RebindingTime when v.Length == 4:
                return BinaryPrimitives.ReadUInt32BigEndian(v) + " s";
            case DhcpOptionCode.MaximumMessageSize when v.Length == 2:
                return BinaryPrimitives.ReadUInt16BigEndian(v).ToString();
            case DhcpOptionCode.ParameterRequestList:
                var codes = new string[v.Length];
                for (var i = 0; i < v.Length; i++) codes[i] = v[i].ToString();
                return string.Join(" ", codes);
            case DhcpOptionCode.ClientSystemArchitecture when v.Length % 2 == 0:
                var arches = new string[v.Length / 2];
                for (var i = 0; i < arches.Length; i++) arches[i] = BinaryPrimitives.ReadUInt16BigEndian(v[(2 * i)..]).ToString();
                return string.Join(" ", arches);
            case DhcpOptionCode.UserClass when UserClass.IsRfc3004List(v):
                var classes = new List<string>();
                for (var i = 0; i < v.Length; i += 1 + v[i]) classes.Add(Quote(v.Slice(i + 1, v[i])));
                return "[" + string.Join(", ", classes) + "]";
            case DhcpOptionCode.HostName or DhcpOptionCode.DomainName or DhcpOptionCode.VendorClassIdentifier
                or DhcpOptionCode.TftpServerName or DhcpOptionCode.BootFileName or DhcpOptionCode.Message or DhcpOptionCode.UserClass
                when IsPrintable(v):
                return Quote(v);
            default:
                return v.IsEmpty ? "(empty)" : Hex(v);
        }
    }

    private static bool IsPrintable(ReadOnlySpan<byte> v)
    {
        foreach (var b in v.TrimEnd((byte)0))
            if (b is < 0x20 or > 0x7E) return false;
        return true;
    }

    private static string Quote(ReadOnlySpan<byte> v) => "\"" + Encoding.ASCII.GetString(v.TrimEnd((byte)0)) + "\"";

    private static string Hex(ReadOnlySpan<byte> v) => Convert.ToHexStringLower(v);
}
