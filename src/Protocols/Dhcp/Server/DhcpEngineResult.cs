using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dhcp.Server;

/// <summary>
/// The engine's answer to one request. When <see cref="Disposition"/> is <see cref="DhcpDisposition.Reply"/>,
/// the first <see cref="Length"/> bytes of the caller's buffer hold the reply; if <see cref="CommitTicket"/>
/// is non-zero the reply must not be sent before <c>ILeaseJournal.WhenDurableAsync(ticket)</c> completes
/// (an ACK promises a lease that must survive a crash).
/// </summary>
public readonly record struct DhcpEngineResult(
    DhcpDisposition Disposition,
    DhcpMessageType ReplyType,
    int Length,
    DhcpReplyRoute Route,
    long CommitTicket,
    Ipv4Address Address,
    string? NetworkName)
{
    public static DhcpEngineResult Drop(DhcpDisposition disposition, string? network = null, Ipv4Address address = default) =>
        new(disposition, DhcpMessageType.None, 0, default, 0, address, network);
}
