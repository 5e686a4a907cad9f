using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Apply.WireGuard;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Os.Tools;
using NetbootPi.Agent.Render.WireGuard;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.WireGuard;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Control;

/// <summary>
/// The box's WireGuard peers on the control API. <c>GET /api/v1/wireguard/peers</c>: each peer of the running site
/// with what the kernel says of it (<c>wg show INTERFACE dump</c>, run by the agent, which may). <c>POST
/// /api/v1/wireguard/peers</c>, <c>.../remove</c>, <c>.../enable</c>, <c>.../disable</c>: a change to the peers file
/// beside the agent's site file (<see cref="PeerEditor"/>), one at a time, then the site read again so the tunnel
/// follows. No secret of the box leaves it: a new peer's private key is made by the caller, and a preshared key
/// comes from the caller too.
/// </summary>
public sealed class WireGuardEndpoints(SiteState state, SiteReloader reloader, IAtomicFiles files, IToolRunner tools, TimeProvider time) : IControlEndpoints
{
    public const string PeersPath = "/api/v1/wireguard/peers";
    public const string RemovePath = "/api/v1/wireguard/peers/remove";
    public const string EnablePath = "/api/v1/wireguard/peers/enable";
    public const string DisablePath = "/api/v1/wireguard/peers/disable";

    private readonly SemaphoreSlim _edits = new(1, 1);

    private static readonly ControlQuery ConfigQuery = new("config", false, "the agent's own site file: refused with 409 when the agent runs another");

    public IEnumerable<ControlRoute> Routes =>
    [
        new("GET", PeersPath, ControlRole.Viewer, Changes: false, ListAsync)
        {
            Summary = "The WireGuard tunnel and its peers: address, public key, enabled, and from the kernel the state, endpoint, latest handshake and bytes (409 when the site has no wireguard).",
            Reply = WireGuardJson.Default.WireGuardReply,
        },
        new("POST", PeersPath, ControlRole.Admin, Changes: true, AddAsync)
        {
            Summary = "Adds a peer to the peers file by its public key (and a preshared key the caller made), reads the site again, and answers the client config's pieces but the secrets.",
            Query = [ConfigQuery], Body = WireGuardJson.Default.WireGuardPeerAddRequest, Reply = WireGuardJson.Default.WireGuardChangeReply,
        },
        new("POST", RemovePath, ControlRole.Admin, Changes: true, (c, _) => ChangeAsync(c, e => e.Remove))
        {
            Summary = "Removes a peer from the peers file (and the preshared key the box kept for it), then reads the site again.",
            Query = [ConfigQuery], Body = WireGuardJson.Default.WireGuardPeerNameRequest, Reply = WireGuardJson.Default.WireGuardChangeReply,
        },
        new("POST", EnablePath, ControlRole.Admin, Changes: true, (c, _) => ChangeAsync(c, e => name => e.SetEnabled(name, true)))
        {
            Summary = "Accepts a disabled peer's handshakes again, then reads the site again.",
            Query = [ConfigQuery], Body = WireGuardJson.Default.WireGuardPeerNameRequest, Reply = WireGuardJson.Default.WireGuardChangeReply,
        },
        new("POST", DisablePath, ControlRole.Admin, Changes: true, (c, _) => ChangeAsync(c, e => name => e.SetEnabled(name, false)))
        {
            Summary = "Keeps a peer in the peers file but refuses its handshakes, then reads the site again.",
            Query = [ConfigQuery], Body = WireGuardJson.Default.WireGuardPeerNameRequest, Reply = WireGuardJson.Default.WireGuardChangeReply,
        },
    ];

    private async Task ListAsync(HttpContext context, ControlCaller caller)
    {
        var site = state.Current;
        if (site.WireGuard is not { } wg)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status409Conflict, NoTunnel(site)).ConfigureAwait(false);
            return;
        }
        string? kernelError = null;
        var status = new Dictionary<WireGuardKey, WgPeerStatus>();
        try
        {
            var result = await tools.RunAsync(new ToolCall("wg", "show", wg.Interface, "dump"), context.RequestAborted).ConfigureAwait(false);
            if (result.Succeeded) status = WgPeerStatus.ParseDump(result.Output).ToDictionary(s => s.PublicKey);
            else kernelError = $"wg show {wg.Interface} exited with {result.ExitCode}: {result.Errors.Trim()} (is the agent running with --manage-network, and the tunnel up? ip link show {wg.Interface})";
        }
        catch (ToolException e)
        {
            kernelError = e.Message;
        }
        var now = time.GetUtcNow();
        var peers = wg.Peers.Select(p => Peer(p, status.GetValueOrDefault(p.PublicKey), now)).ToArray();
        var reply = new WireGuardReply(wg.Interface, wg.Address.ToString()!, wg.Endpoint, wg.PeersFile, kernelError, peers, wg.ListenPort);
        await ControlService.WriteAsync(context, StatusCodes.Status200OK, reply, WireGuardJson.Default.WireGuardReply).ConfigureAwait(false);
    }

    private async Task AddAsync(HttpContext context, ControlCaller caller)
    {
        if (!await SameSiteAsync(context).ConfigureAwait(false)) return;
        if (await ControlBody.ReadAsync(context, WireGuardJson.Default.WireGuardPeerAddRequest).ConfigureAwait(false) is not { } request) return;
        if (!WireGuardKey.TryParse(request.PublicKey, out var key, out var problem))
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status400BadRequest, $"public_key: not a WireGuard public key: {problem}").ConfigureAwait(false);
            return;
        }
        Ipv4Address? address = null;
        if (request.Address is { } a)
        {
            if (!Ipv4Address.TryParse(a, out var parsed))
            {
                await ControlService.ReplyAsync(context, StatusCodes.Status400BadRequest, $"address: '{a}' is not an IPv4 address").ConfigureAwait(false);
                return;
            }
            address = parsed;
        }
        WireGuardSecret? psk = null;
        if (request.PresharedKey is { } text && (psk = WireGuardSecret.Parse(text)) is null)
        {
            // Never quoted back: it is a secret even when malformed.
            await ControlService.ReplyAsync(context, StatusCodes.Status400BadRequest, "preshared_key: not a WireGuard key (32 bytes in base64, as wg genpsk writes)").ConfigureAwait(false);
            return;
        }
        await EditAsync(context, e => e.Add(request.Name, key, address, psk), added =>
        {
            var site = added.Site!;
            var box = WireGuardKeyFile.LoadOrCreate(WireGuardKeyFile.PathFor(site.Server.StateDirectory, site.WireGuard!.Interface), files);
            return ClientConfig.Parts(site, added.Peer!, box.PublicKey());
        }).ConfigureAwait(false);
    }

    private async Task ChangeAsync(HttpContext context, Func<PeerEditor, Func<string, PeerEditResult>> change)
    {
        if (!await SameSiteAsync(context).ConfigureAwait(false)) return;
        if (await ControlBody.ReadAsync(context, WireGuardJson.Default.WireGuardPeerNameRequest).ConfigureAwait(false) is not { } request) return;
        await EditAsync(context, e => change(e)(request.Name), null).ConfigureAwait(false);
    }

    /// <summary>One change at a time, off the request's thread (it reads and writes files); then the site read again.</summary>
    private async Task EditAsync(HttpContext context, Func<PeerEditor, PeerEditResult> edit, Func<PeerEditResult, ClientConfigParts>? client)
    {
        await _edits.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        WireGuardChangeReply reply;
        int code;
        try
        {
            (code, reply) = await Task.Run(() =>
            {
                var result = edit(new PeerEditor(state.Path, files));
                if (!result.Done)
                    return (StatusOf(result.Problem), new WireGuardChangeReply(result.Message, false, SiteEndpoints.Errors(result.Errors), null, null));
                var reloaded = reloader.Reload();
                // The kernel's view follows the reload (or, for a peer shut out, the confirm): GET shows it.
                var peer = result.Site!.WireGuard!.FindPeer(result.Peer!.Name) is { } p ? Peer(p, null, time.GetUtcNow()) with { State = p.Enabled ? "enabled" : "disabled" } : null;
                var message = reloaded.Inventory is null
                    ? $"{result.Message}; the agent refused the site when it read it again ({reloaded.Errors.Count} errors), so the tunnel is as it was"
                    : $"{result.Message}; the agent runs it now";
                return (StatusCodes.Status200OK, new WireGuardChangeReply(message, reloaded.Inventory is not null, SiteEndpoints.Errors(reloaded.Errors), peer,
                    client?.Invoke(result)));
            }, context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            _edits.Release();
        }
        // A refusal is a sentence like every other's; a site that would not read answers its located errors too.
        if (code is StatusCodes.Status200OK or StatusCodes.Status422UnprocessableEntity)
            await ControlService.WriteAsync(context, code, reply, WireGuardJson.Default.WireGuardChangeReply).ConfigureAwait(false);
        else await ControlService.ReplyAsync(context, code, reply.Message).ConfigureAwait(false);
    }

    private static int StatusOf(PeerEditProblem problem) => problem switch
    {
        PeerEditProblem.BadRequest => StatusCodes.Status400BadRequest,
        PeerEditProblem.NotFound => StatusCodes.Status404NotFound,
        PeerEditProblem.Invalid => StatusCodes.Status422UnprocessableEntity,
        _ => StatusCodes.Status409Conflict,
    };

    /// <summary>A change names the agent's own site file or none; another file is refused rather than changed behind the agent's back.</summary>
    private async Task<bool> SameSiteAsync(HttpContext context)
    {
        if (context.Request.Query["config"].ToString() is not { Length: > 0 } config || Path.GetFullPath(config) == Path.GetFullPath(state.Path)) return true;
        await ControlService.ReplyAsync(context, StatusCodes.Status409Conflict,
            $"the agent runs the site file {state.Path}, not {config}: its peers file is the one it changes (--config {state.Path}, or --files to change {config}'s without the agent)").ConfigureAwait(false);
        return false;
    }

    private static string NoTunnel(SiteInventory site) => $"the site {site.Site.Name} has no wireguard section (docs/wireguard.md shows one)";

    internal static WireGuardPeerReply Peer(WireGuardPeer p, WgPeerStatus? s, DateTimeOffset now) =>
        new(p.Name, p.Address.ToString(), p.PublicKey.ToString(), p.Enabled, p.PresharedKeyFile is not null, p.Location.ToString(),
            WgPeerStatus.StateOf(p.Enabled, s, now), s?.Endpoint, s?.LatestHandshake, s?.ReceivedBytes ?? 0, s?.SentBytes ?? 0);
}
