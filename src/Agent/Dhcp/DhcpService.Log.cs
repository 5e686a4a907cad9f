using System.Net;
using Microsoft.Extensions.Logging;
using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Server;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Dhcp;

// The DHCP server's log lines. Lines about a request run on the log thread (Write), never on a receive loop.
public sealed partial class DhcpService
{
    /// <summary>Writes one queued entry; on the <see cref="DhcpLogRelay"/> thread.</summary>
    private void Write(DhcpLogEntry e)
    {
        switch (e.Kind)
        {
            case DhcpLogKind.Replied:
                LogReplied(e.ReplyType, e.Address, e.Mac, HostName(e.Mac), e.RequestType, e.Interface, e.Network ?? "-");
                break;
            case DhcpLogKind.NotAnswered:
                LogNoReply(e.RequestType, e.Mac, HostName(e.Mac), e.Disposition, e.Interface, e.Network ?? "-");
                break;
            case DhcpLogKind.Rejected:
                LogRejected(e.Interface, e.Source!, e.ParseError);
                break;
            case DhcpLogKind.FirstBootToday:
                LogFirstBootToday(HostName(e.Mac), e.Mac, e.Address, e.Interface, e.Network ?? "-");
                break;
            case DhcpLogKind.SendFailed:
                LogSendFailed(e.ReplyType, e.Address, e.Mac, HostName(e.Mac), e.Interface, e.Text ?? "");
                break;
            case DhcpLogKind.UnicastUnavailable:
                LogClientUnicastUnavailable(e.Interface, e.Text ?? "");
                break;
            case DhcpLogKind.ReceiveFailed:
                LogReceiveFailed(e.Interface, (int)e.Count, e.Text ?? "");
                break;
            case DhcpLogKind.Summary:
                LogSummary(e.Interface, e.Count, e.Text ?? "");
                break;
            case DhcpLogKind.Dropped:
                LogDropped(e.Count, e.Count2);
                break;
        }
    }

    /// <summary>The site's name for a MAC, or "unknown host".</summary>
    private string HostName(MacAddress mac) => _state.Current.FindHost(mac)?.Name ?? "unknown host";

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "DHCP lease store {Directory}: {Report}")]
    private partial void LogLeasesRecovered(string directory, string report);

    [LoggerMessage(EventId = 311, Level = LogLevel.Warning, Message = "DHCP lease store {Directory}: {Report}")]
    private partial void LogLeasesRecoveredWithLoss(string directory, string report);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "DHCP server listening on {Interface}, port {Ports}")]
    private partial void LogListening(string @interface, string ports);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "DHCP: interface {Interface} does not exist (yet); checking again every {Seconds}s")]
    private partial void LogInterfaceMissing(string @interface, int seconds);

    [LoggerMessage(EventId = 303, Level = LogLevel.Error, Message = "DHCP: cannot listen on {Interface}: {Error} (another DHCP server running? netbootpi needs root or CAP_NET_BIND_SERVICE and CAP_NET_RAW)")]
    private partial void LogBindFailed(string @interface, string error);

    [LoggerMessage(EventId = 304, Level = LogLevel.Information, Message = "DHCP server stopped on {Interface}")]
    private partial void LogStopped(string @interface);

    [LoggerMessage(EventId = 305, Level = LogLevel.Debug, Message = "DHCP: rejected a datagram on {Interface} from {Source}: {Error}")]
    private partial void LogRejected(string @interface, IPEndPoint source, DhcpParseError error);

    [LoggerMessage(EventId = 306, Level = LogLevel.Debug, Message = "DHCP {Type} {Address} to {Mac} ({Host}) for its {Request} on {Interface} ({Network})")]
    private partial void LogReplied(DhcpMessageType type, Ipv4Address address, MacAddress mac, string host, DhcpMessageType request, string @interface, string network);

    [LoggerMessage(EventId = 307, Level = LogLevel.Debug, Message = "DHCP: no reply to {Request} from {Mac} ({Host}): {Disposition}, on {Interface} ({Network})")]
    private partial void LogNoReply(DhcpMessageType request, MacAddress mac, string host, DhcpDisposition disposition, string @interface, string network);

    [LoggerMessage(EventId = 308, Level = LogLevel.Warning, Message = "DHCP: {Type} {Address} to {Mac} ({Host}) on {Interface} not sent: {Error}")]
    private partial void LogSendFailed(DhcpMessageType type, Ipv4Address address, MacAddress mac, string host, string @interface, string error);

    [LoggerMessage(EventId = 314, Level = LogLevel.Information, Message = "DHCP on {Interface}, last {Seconds}s: {Activity}")]
    private partial void LogSummary(string @interface, long seconds, string activity);

    [LoggerMessage(EventId = 315, Level = LogLevel.Information, Message = "DHCP: {Host} ({Mac}) booted for the first time today: {Address} on {Interface} ({Network})")]
    private partial void LogFirstBootToday(string host, MacAddress mac, Ipv4Address address, string @interface, string network);

    [LoggerMessage(EventId = 316, Level = LogLevel.Warning, Message = "DHCP: {LogLines} log lines and {Events} boot events dropped since the last summary (the log or the state directory's disk was slower than the requests; the counts above are complete)")]
    private partial void LogDropped(long logLines, long events);

    [LoggerMessage(EventId = 309, Level = LogLevel.Error, Message = "DHCP: receiving on {Interface} port {Port} failed: {Error}")]
    private partial void LogReceiveFailed(string @interface, int port, string error);

    [LoggerMessage(EventId = 312, Level = LogLevel.Warning, Message = "no IPv6 router advertisements on {Interface} ({Error}): PXE clients there wait longer for IPv6 before booting")]
    private partial void LogNoAdvertiser(string @interface, string error);

    [LoggerMessage(EventId = 313, Level = LogLevel.Warning, Message = "DHCP on {Interface}: cannot add ARP entries ({Reason}); replies to clients without an address are broadcast instead of unicast (netbootpi needs CAP_NET_ADMIN)")]
    private partial void LogClientUnicastUnavailable(string @interface, string reason);
}
