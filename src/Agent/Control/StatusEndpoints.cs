using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Control.Network;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Control;

/// <summary><c>GET /api/v1/status</c>: what the agent runs and how it is, the same words systemd's status line shows.</summary>
public sealed class StatusEndpoints(SiteState state, ServiceStatus status, TimeProvider time, string version, ApiEndpointInfo api) : IControlEndpoints
{
    public const string StatusPath = "/api/v1/status";

    private readonly DateTimeOffset _started = time.GetUtcNow();

    public IEnumerable<ControlRoute> Routes => [new("GET", StatusPath, ControlRole.Viewer, Changes: false, GetAsync) { Summary = "The agent: version, start time and uptime, the site running, the status line systemd shows, the network API's URL and certificate fingerprint.", Reply = ControlJson.Default.StatusReply }];

    private Task GetAsync(HttpContext context, ControlCaller caller)
    {
        var site = state.Current;
        var now = time.GetUtcNow();
        var reply = new StatusReply(version, site.Site.Name, state.Path, _started, (long)(now - _started).TotalSeconds, status.Text,
            site.Networks.Length, site.Hosts.Length, site.Profiles.Length, api.Now is { } listening ? new ApiReply(listening.Url, listening.Fingerprint) : null);
        return ControlService.WriteAsync(context, StatusCodes.Status200OK, reply, ControlJson.Default.StatusReply);
    }
}
