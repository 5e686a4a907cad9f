using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Overlays;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Control;

/// <summary>
/// Hosts' Alpine overlays on the control API. <c>GET /api/v1/overlays?host=HOST</c>: the stored versions, the
/// served one last. <c>POST /api/v1/overlays/rollback?host=HOST</c>: drops the served version so the one before is
/// served again (an operator's act on one host: a token scoped to the host may do it). The overlay's bytes are not
/// served here: an apkovl holds the host's own files (its shadow file among them), and the box serves it only to
/// the host itself at boot.
/// </summary>
public sealed class OverlayEndpoints(SiteState state, OverlayStore store) : IControlEndpoints
{
    public const string ListPath = "/api/v1/overlays";
    public const string RollbackPath = "/api/v1/overlays/rollback";

    private static readonly ControlQuery HostQuery = new("host", true, "the host's name in the site file, or the MAC of a machine the site does not know");

    public IEnumerable<ControlRoute> Routes =>
    [
        new("GET", ListPath, ControlRole.Viewer, Changes: false, ListAsync)
        {
            Summary = "A host's stored overlay versions (number, size, when stored), oldest first; the last is the one served.",
            Query = [HostQuery],
            Reply = ControlJson.Default.OverlayListReply,
        },
        new("POST", RollbackPath, ControlRole.Operator, Changes: true, RollbackAsync)
        {
            Summary = "Drops the host's served overlay version so the one before is served again; 409 when there is no earlier version (a host never loses the overlay it has).",
            Query = [HostQuery],
            HostOf = c => c.Request.Query["host"].ToString(),
            Reply = ControlJson.Default.OverlayListReply,
        },
    ];

    /// <summary>The host named by <c>?host=</c>: its name and MAC, or null after answering 400 or 404.</summary>
    private async Task<(string Name, MacAddress Mac)?> HostAsync(HttpContext context)
    {
        var site = state.Current;
        var text = context.Request.Query["host"].ToString();
        if (text.Length == 0)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status400BadRequest, "host is missing (?host=NAME, or a MAC)").ConfigureAwait(false);
            return null;
        }
        if (site.FindHost(text) is { } host) return (host.Name, host.Mac);
        if (MacAddress.TryParse(text, out var mac)) return (site.FindHost(mac)?.Name ?? mac.ToString(), mac);
        var hint = site.HostHint(text);
        await ControlService.ReplyAsync(context, StatusCodes.Status404NotFound, $"the site has no host named '{text}'{hint}, and it is not a MAC address").ConfigureAwait(false);
        return null;
    }

    private async Task ListAsync(HttpContext context, ControlCaller caller)
    {
        if (await HostAsync(context).ConfigureAwait(false) is not { } host) return;
        await ControlService.WriteAsync(context, StatusCodes.Status200OK, Reply(host.Name, host.Mac, "listed"), ControlJson.Default.OverlayListReply).ConfigureAwait(false);
    }

    private async Task RollbackAsync(HttpContext context, ControlCaller caller)
    {
        if (await HostAsync(context).ConfigureAwait(false) is not { } host) return;
        if (!store.Rollback(host.Mac, out var now))
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status409Conflict, now is null
                ? $"{host.Name} has no overlay stored"
                : $"{host.Name} has only version {now.Number}: there is no earlier one to serve").ConfigureAwait(false);
            return;
        }
        await ControlService.WriteAsync(context, StatusCodes.Status200OK, Reply(host.Name, host.Mac, $"version {now!.Number} is served again"),
            ControlJson.Default.OverlayListReply).ConfigureAwait(false);
    }

    private OverlayListReply Reply(string name, MacAddress mac, string message) =>
        new(name, mac.ToString(), message, store.List(mac).Select(v => new OverlayVersionReply(v.Number, v.Size, v.Stored)).ToArray());
}
