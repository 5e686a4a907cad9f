using System.Globalization;
using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Apply.Network;
using NetbootPi.Agent.Os.Network;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Render.Network;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Control;

/// <summary>
/// The box's own network on the control API. <c>POST /api/v1/network/apply?config=FILE&amp;confirm_within=SECONDS&amp;force=1</c>:
/// the agent's site file read again, its network applied through <see cref="NetworkChanges"/> (the guard and the
/// confirm window) and, unless refused or failed, the file becomes the running site (as a reload). <c>POST
/// /api/v1/network/confirm</c>; <c>GET /api/v1/network</c>: per network the address wanted and those the kernel has,
/// and the link's state (networkd's, or the netctl unit's).
/// </summary>
public sealed class NetworkEndpoints(SiteState state, SiteReloader reloader, NetworkChanges? changes, ServiceStatus status,
    INetworkInterfaces interfaces, INetworkd? networkd, ISystemdManager? systemd) : IControlEndpoints
{
    public const string ApplyPath = "/api/v1/network/apply";
    public const string ConfirmPath = "/api/v1/network/confirm";
    public const string ShowPath = "/api/v1/network";

    public IEnumerable<ControlRoute> Routes =>
    [
        new("POST", ApplyPath, ControlRole.Admin, Changes: true, ApplyAsync)
        {
            Summary = "Applies the site file's network through the lock-out guard and the confirm window, then runs that file as the site (409 without --manage-network).",
            Query =
            [
                new("config", false, "the agent's own site file (it must name that file)"),
                new("confirm_within", true, "seconds until the change is put back unless confirmed"),
                new("force", false, "1: apply even when the guard says it would cut the caller off"),
            ],
            Reply = ControlJson.Default.NetworkApplyReply,
        },
        new("POST", ConfirmPath, ControlRole.Admin, Changes: true, ConfirmAsync)
        {
            Summary = "Keeps the pending network change (409 when none is pending).", Reply = ControlJson.Default.NetworkConfirmReply,
        },
        new("GET", ShowPath, ControlRole.Viewer, Changes: false, ShowAsync)
        {
            Summary = "The box's networks: the address each wants, the kernel's addresses, the link's state, the pending change.", Reply = ControlJson.Default.NetworkReply,
        },
    ];

    private const string NotManaged = "this agent does not manage the box's network (it runs without --manage-network)";

    private async Task ApplyAsync(HttpContext context, ControlCaller caller)
    {
        if (changes is null)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status409Conflict, NotManaged).ConfigureAwait(false);
            return;
        }
        var query = context.Request.Query;
        if (query["config"].ToString() is { Length: > 0 } config && Path.GetFullPath(config) != Path.GetFullPath(state.Path))
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status409Conflict,
                $"the agent runs the site file {state.Path}, not {config}: edit that file and apply it (--config {state.Path})").ConfigureAwait(false);
            return;
        }
        if (!int.TryParse(query["confirm_within"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status400BadRequest, "confirm_within must be a number of seconds above 0").ConfigureAwait(false);
            return;
        }
        var force = query["force"] == "1";
        var loaded = await Task.Run(() => SiteFile.Load(state.Path), context.RequestAborted).ConfigureAwait(false);
        if (loaded.Inventory is not { } site)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status422UnprocessableEntity,
                $"{state.Path} has {loaded.Errors.Count} errors; the first: {loaded.Errors[0]} (netbootpi check shows them all)").ConfigureAwait(false);
            return;
        }
        var outcome = await changes.ApplyAsync(NetworkWanted.From(site), TimeSpan.FromSeconds(seconds), force, "apply", context.RequestAborted).ConfigureAwait(false);
        status.Set(NetworkService.StatusPart, NetworkService.StatusText(outcome));
        // The file the network came from becomes the running site; its reload finds the network already as it says.
        if (outcome.Result is not (ApplyResult.Refused or ApplyResult.Failed)) await Task.Run(reloader.Reload, context.RequestAborted).ConfigureAwait(false);
        var reply = new NetworkApplyReply(Snake(outcome.Result), outcome.Message, outcome.Plan.Render(), outcome.Deadline);
        await ControlService.WriteAsync(context, outcome.Result is ApplyResult.Refused or ApplyResult.Failed or ApplyResult.NotRetried
            ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status200OK, reply, ControlJson.Default.NetworkApplyReply).ConfigureAwait(false);
    }

    private async Task ConfirmAsync(HttpContext context, ControlCaller caller)
    {
        if (changes is null)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status409Conflict, NotManaged).ConfigureAwait(false);
            return;
        }
        var pending = changes.State.Pending;
        var confirmed = await changes.ConfirmAsync(context.RequestAborted).ConfigureAwait(false);
        if (confirmed) status.Set(NetworkService.StatusPart, null);
        var reply = confirmed
            ? new NetworkConfirmReply(true, $"confirmed the change from {pending!.Source}: {pending.Wanted.Describe()}")
            : new NetworkConfirmReply(false, "no network change is waiting for a confirm");
        await ControlService.WriteAsync(context, confirmed ? StatusCodes.Status200OK : StatusCodes.Status409Conflict, reply,
            ControlJson.Default.NetworkConfirmReply).ConfigureAwait(false);
    }

    private async Task ShowAsync(HttpContext context, ControlCaller caller)
    {
        var site = state.Current;
        var backend = site.Server.NetworkBackend;
        Dictionary<string, NetworkdLink>? links = null;
        string? linksError = null;
        if (backend == NetworkBackend.Networkd && networkd is not null)
        {
            try
            {
                links = (await networkd.LinksAsync(context.RequestAborted).ConfigureAwait(false)).ToDictionary(l => l.Name);
            }
            catch (NetworkdException e)
            {
                linksError = e.Message;
            }
        }
        var replies = new List<NetworkLinkReply>();
        foreach (var n in site.Networks.Where(n => !n.IsRelayed))
        {
            var kernel = interfaces.Find(n.Interface!);
            var addresses = kernel?.Ipv4.Select(a => a.ToString()!).ToArray() ?? [];
            string linkState;
            if (kernel is null) linkState = "missing (the kernel has no such link)";
            else if (links is not null) linkState = links.TryGetValue(n.Interface!, out var l) ? $"{l.OperationalState} ({l.AdministrativeState})" : "not known to networkd";
            else if (linksError is not null) linkState = linksError;
            else if (backend == NetworkBackend.Netctl && systemd is not null) linkState = await UnitStateAsync(NetctlProfiles.Prefix + n.Interface, context.RequestAborted).ConfigureAwait(false);
            else linkState = "present";
            replies.Add(new NetworkLinkReply(n.Name, n.Role.SiteName(), n.Interface!, n.Address!.ToString()!, addresses, linkState));
        }
        var pending = changes?.State.Pending;
        var reply = new NetworkReply(backend.ToString().ToLowerInvariant(), changes is not null, pending?.Wanted.Describe(), pending?.Deadline, [.. replies]);
        await ControlService.WriteAsync(context, StatusCodes.Status200OK, reply, ControlJson.Default.NetworkReply).ConfigureAwait(false);
    }

    private async Task<string> UnitStateAsync(string profile, CancellationToken cancellationToken)
    {
        var unit = new NetctlProfile(profile, "").Unit;
        try
        {
            return $"{unit} {(await systemd!.GetUnitStateAsync(unit, cancellationToken).ConfigureAwait(false)).ActiveState}";
        }
        catch (SystemdException e)
        {
            return $"{unit}: {e.Message}";
        }
    }

    private static string Snake(ApplyResult result) => result switch
    {
        ApplyResult.NotRetried => "not_retried",
        _ => result.ToString().ToLowerInvariant(),
    };
}
