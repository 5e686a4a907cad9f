using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Alerts;
using NetbootPi.Agent.Dhcp;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Power.Recovery;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Control;

/// <summary>
/// <c>GET /metrics</c>: the agent's counters in Prometheus's text exposition format (version 0.0.4), for a
/// scraper holding a viewer token: uptime, the site's size, DHCP replies per interface and network, leases, boot
/// events written and dropped, recovery's hosts by phase, alerts and their webhooks' deliveries. <c>server.metrics:
/// open</c> (<paramref name="open"/>) lets anyone who reaches the API read them, for a scraper without a token; it
/// shows counts by interface, network and kind, never a host's name or address.
/// </summary>
public sealed class MetricsEndpoints(SiteState state, BootEventLog events, TimeProvider time, DhcpService? dhcp, RecoveryService? recovery,
    AlertService? alerts = null, bool open = false) : IControlEndpoints
{
    public const string MetricsPath = "/metrics";
    private readonly DateTimeOffset _started = time.GetUtcNow();

    public IEnumerable<ControlRoute> Routes =>
    [
        new("GET", MetricsPath, open ? ControlRole.Anyone : ControlRole.Viewer, Changes: false, MetricsAsync)
        {
            Summary = "The agent's counters in Prometheus text format: uptime, site size, DHCP replies per interface and network, leases, boot events dropped, recovery's hosts by phase, alerts raised and dropped, webhook deliveries and failed attempts.",
        },
    ];

    private async Task MetricsAsync(HttpContext context, ControlCaller caller)
    {
        var text = Render();
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), context.RequestAborted).ConfigureAwait(false);
    }

    internal string Render()
    {
        var site = state.Current;
        var s = new StringBuilder();
        Gauge(s, "netbootpi_uptime_seconds", "Seconds since the agent started.", (time.GetUtcNow() - _started).TotalSeconds);
        Gauge(s, "netbootpi_site_hosts", "Hosts in the running site.", site.Hosts.Length);
        Gauge(s, "netbootpi_site_networks", "Networks in the running site.", site.Networks.Length);
        if (dhcp is not null)
        {
            var totals = dhcp.Activity.Totals().OrderBy(t => t.Key.Interface, StringComparer.Ordinal).ThenBy(t => t.Key.Network, StringComparer.Ordinal).ToList();
            Header(s, "netbootpi_dhcp_replies_total", "DHCP replies sent, by interface, network and message type.", "counter");
            foreach (var ((iface, network), (offers, acks, naks, _)) in totals)
            {
                foreach (var (type, n) in new[] { ("offer", offers), ("ack", acks), ("nak", naks) })
                    s.Append(CultureInfo.InvariantCulture, $"netbootpi_dhcp_replies_total{{interface=\"{Label(iface)}\",network=\"{Label(network)}\",type=\"{type}\"}} {n}\n");
            }
            Header(s, "netbootpi_dhcp_unanswered_total", "DHCP requests not answered (other servers' clients, policy, malformed), by interface and network.", "counter");
            foreach (var ((iface, network), (_, _, _, unanswered)) in totals)
                s.Append(CultureInfo.InvariantCulture, $"netbootpi_dhcp_unanswered_total{{interface=\"{Label(iface)}\",network=\"{Label(network)}\"}} {unanswered}\n");
            Gauge(s, "netbootpi_dhcp_leases", "Leases the DHCP server holds.", dhcp.Snapshot().Count);
            Counter(s, "netbootpi_dhcp_log_lines_dropped_total", "Debug log lines the DHCP server dropped rather than wait.", dhcp.Activity.LogLinesDropped);
        }
        Counter(s, "netbootpi_events_dropped_total", "Boot events kept in memory but not written to the file (the disk was slower than the requests).", events.Dropped);
        if (recovery is not null)
        {
            Header(s, "netbootpi_recovery_hosts", "Hosts recovery watches, by phase.", "gauge");
            foreach (var phase in Enum.GetValues<RecoveryPhase>())
            {
                var n = recovery.Snapshot.Count(r => r.Phase == phase);
                s.Append(CultureInfo.InvariantCulture, $"netbootpi_recovery_hosts{{phase=\"{phase.ToString().ToLowerInvariant()}\"}} {n}\n");
            }
        }
        if (alerts is not null)
        {
            Header(s, "netbootpi_alerts_total", "Alerts raised, by kind (those dropped included).", "counter");
            foreach (var kind in AlertKinds.All)
                s.Append(CultureInfo.InvariantCulture, $"netbootpi_alerts_total{{kind=\"{AlertKinds.Name(kind)}\"}} {alerts.Raised(kind)}\n");
            Counter(s, "netbootpi_alerts_dropped_total", "Alerts neither recorded nor sent: the alert queue was full.", alerts.Dropped);
            Header(s, "netbootpi_webhook_deliveries_total", "Alerts to one webhook, by how they ended: delivered (a 2xx answer) or failed (every attempt failed).", "counter");
            s.Append(CultureInfo.InvariantCulture, $"netbootpi_webhook_deliveries_total{{result=\"delivered\"}} {alerts.Delivered}\n");
            s.Append(CultureInfo.InvariantCulture, $"netbootpi_webhook_deliveries_total{{result=\"failed\"}} {alerts.Failed}\n");
            Counter(s, "netbootpi_webhook_attempts_failed_total", "POSTs to webhooks that had no 2xx answer (retries included).", alerts.AttemptsFailed);
        }
        return s.ToString();
    }

    private static void Header(StringBuilder s, string name, string help, string type) =>
        s.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");

    private static void Gauge(StringBuilder s, string name, string help, double value)
    {
        Header(s, name, help, "gauge");
        s.Append(CultureInfo.InvariantCulture, $"{name} {value}\n");
    }

    private static void Counter(StringBuilder s, string name, string help, long value)
    {
        Header(s, name, help, "counter");
        s.Append(CultureInfo.InvariantCulture, $"{name} {value}\n");
    }

    /// <summary>A label value as the exposition format wants it: backslash, quote and newline escaped.</summary>
    private static string Label(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
