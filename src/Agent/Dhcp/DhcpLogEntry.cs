using System.Net;
using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Server;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Dhcp;

/// <summary>
/// One line the DHCP server wants logged, captured on the receive loop as plain values (the request buffer is reused
/// at once) and formatted by <see cref="DhcpLogRelay"/>'s thread, which also looks up the host's name.
/// </summary>
public readonly record struct DhcpLogEntry(
    DhcpLogKind Kind,
    string Interface,
    string? Network = null,
    MacAddress Mac = default,
    DhcpMessageType RequestType = DhcpMessageType.None,
    DhcpMessageType ReplyType = DhcpMessageType.None,
    Ipv4Address Address = default,
    DhcpDisposition Disposition = DhcpDisposition.Reply,
    DhcpParseError ParseError = DhcpParseError.None,
    IPEndPoint? Source = null,
    string? Text = null,
    long Count = 0,
    long Count2 = 0);
