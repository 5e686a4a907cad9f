using System.Net;
using Microsoft.Extensions.Logging;
using NetbootPi.Protocols.Dns;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Dns;

// Event ids 800–899: DNS.
public sealed partial class DnsService
{
    [LoggerMessage(EventId = 800, Level = LogLevel.Information, Message = "DNS listening on {Endpoint} (UDP and TCP)")]
    private partial void LogListening(IPEndPoint endpoint);

    [LoggerMessage(EventId = 801, Level = LogLevel.Error, Message = "DNS cannot listen on {Endpoint}: {Problem} (is another DNS server, such as dnsmasq, using the port there?); trying again on the next reload")]
    private partial void LogCannotListen(IPEndPoint endpoint, string problem);

    [LoggerMessage(EventId = 802, Level = LogLevel.Information, Message = "DNS stopped listening on {Endpoint}")]
    private partial void LogStopped(IPEndPoint endpoint);

    [LoggerMessage(EventId = 803, Level = LogLevel.Information, Message = "DNS serving {Zones} zones, {Records} records; {Upstreams} upstream resolvers")]
    private partial void LogZones(int zones, int records, int upstreams);

    [LoggerMessage(EventId = 804, Level = LogLevel.Debug, Message = "DNS {Client} {Name} {Type}: {Outcome}")]
    private partial void LogQuery(IPEndPoint client, string name, DnsRecordType type, string outcome);

    [LoggerMessage(EventId = 805, Level = LogLevel.Debug, Message = "DNS {Client} malformed query ({Reason}): {Outcome}")]
    private partial void LogMalformed(IPEndPoint client, DnsParseError reason, string outcome);

    [LoggerMessage(EventId = 806, Level = LogLevel.Debug, Message = "DNS {Client} {Name} {Type}: from the cache")]
    private partial void LogCached(IPEndPoint client, string name, DnsRecordType type);

    [LoggerMessage(EventId = 807, Level = LogLevel.Warning, Message = "DNS no upstream answered {Name} {Type} (asked {Upstreams}): SERVFAIL")]
    private partial void LogNoUpstream(string name, DnsRecordType type, string upstreams);

    [LoggerMessage(EventId = 809, Level = LogLevel.Warning, Message = "DNS receiving on {Endpoint} failed: {Problem}")]
    private partial void LogReceiveFailed(IPEndPoint endpoint, string problem);

    [LoggerMessage(EventId = 811, Level = LogLevel.Debug, Message = "DNS {Name} is {Address} while {Mac}'s lease lasts (a pooled client)")]
    private partial void LogPooledName(string name, Ipv4Address address, MacAddress mac);

    [LoggerMessage(EventId = 814, Level = LogLevel.Debug, Message = "DNS {Name} ({Address}) gone: its lease ended, was released, or the name went to another")]
    private partial void LogPooledNameGone(string name, Ipv4Address address);

    [LoggerMessage(EventId = 812, Level = LogLevel.Warning, Message = "DNS not giving name {Label} to {Mac}'s lease of {Address}: {Name} is {Owner}; the client keeps its address without a name (said once while it lasts)")]
    private partial void LogPooledNameTaken(string label, MacAddress mac, Ipv4Address address, string name, string owner);

    [LoggerMessage(EventId = 813, Level = LogLevel.Information, Message = "DNS not giving name {Label} to {Mac}'s lease of {Address}: {Holder} (said once while it lasts)")]
    private partial void LogPooledNameHeld(string label, MacAddress mac, Ipv4Address address, string holder);

    [LoggerMessage(EventId = 808, Level = LogLevel.Warning, Message = "DNS could not send to {Client}: {Problem}")]
    private partial void LogSendFailed(IPEndPoint client, string problem);
}
