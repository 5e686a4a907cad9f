using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Power;
using NetbootPi.Agent.Power.Recovery;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Control;

/// <summary>
/// Hosts' power on the control API. <c>GET /api/v1/power?host=NAME</c>: its state; <c>POST
/// /api/v1/power?host=NAME&amp;action=on|off|force-off|cycle|reset</c>: the action through the host's wiring, a
/// boot event (who: <c>uid:N</c>); 200 when it did what was asked, 422 when not (the reply says what the host did
/// instead). <c>GET|POST /api/v1/next-boot?host=NAME[&amp;target=pxe|none]</c>: a one-time network boot
/// (<see cref="BootOverrides"/>). <c>GET /api/v1/recovery</c>: every host recovery watches, its phase and the cycles done.
/// </summary>
public sealed class PowerEndpoints(SiteState state, HostPowerService power, RecoveryService? recovery, BootOverrides overrides) : IControlEndpoints
{
    public const string PowerPath = "/api/v1/power";
    public const string NextBootPath = "/api/v1/next-boot";
    public const string RecoveryPath = "/api/v1/recovery";

    public IEnumerable<ControlRoute> Routes =>
    [
        new("GET", PowerPath, ControlRole.Viewer, Changes: false, StatusAsync)
        {
            Summary = "A host's power state as its driver reads it (404 unknown host, 409 no power: wiring).",
            Query = [new("host", true, "the host's name in the site file")],
            Reply = PowerJson.Default.PowerActionReply,
        },
        // A token scoped to hosts may act on its own hosts' power only.
        new("POST", PowerPath, ControlRole.Operator, Changes: true, ActAsync)
        {
            HostOf = c => c.Request.Query["host"].ToString(),
            Summary = "A power action on a host through its wiring, one at a time per host, a boot event of the host: 200 when it did what was asked, 422 when not.",
            Query = [new("host", true, "the host's name in the site file"), new("action", true, "on, off, force-off, cycle or reset")],
            Reply = PowerJson.Default.PowerActionReply,
        },
        new("GET", NextBootPath, ControlRole.Viewer, Changes: false, NextBootAsync)
        {
            Summary = "A host's one-time network boot: set or not, by whom, the profile it would serve, and the targets it can take (404 unknown host).",
            Query = [new("host", true, "the host's name in the site file")],
            Reply = PowerJson.Default.NextBootReply,
        },
        new("POST", NextBootPath, ControlRole.Operator, Changes: true, SetNextBootAsync)
        {
            HostOf = c => c.Request.Query["host"].ToString(),
            Summary = "Sets (target=pxe) or clears (target=none) a host's one-time network boot: its next iPXE script is its network boot (a local-disk profile's pxe: target) instead of its disk, then its profile again; 409 when it has none to give.",
            Query = [new("host", true, "the host's name in the site file"), new("target", true, "pxe (the network boot, once) or none (clear)")],
            Reply = PowerJson.Default.NextBootReply,
        },
        new("GET", RecoveryPath, ControlRole.Viewer, Changes: false, RecoveryAsync)
        {
            Summary = "Every host recovery watches (phase, since, cycles, policy, last reason) and those it cannot recover, with why.",
            Reply = PowerJson.Default.RecoveryReply,
        },
    ];

    /// <summary>The action names on the wire, as the CLI spells them (off --force is force-off).</summary>
    public static string ActionName(PowerAction action) => action switch
    {
        PowerAction.On => "on",
        PowerAction.Off => "off",
        PowerAction.ForceOff => "force-off",
        PowerAction.Cycle => "cycle",
        PowerAction.Reset => "reset",
        _ => "status",
    };

    private static PowerAction? ParseAction(string? name) => name switch
    {
        "on" => PowerAction.On,
        "off" => PowerAction.Off,
        "force-off" => PowerAction.ForceOff,
        "cycle" => PowerAction.Cycle,
        "reset" => PowerAction.Reset,
        _ => null,
    };

    private Task StatusAsync(HttpContext context, ControlCaller caller) => RunAsync(context, caller, PowerAction.Status);

    private async Task ActAsync(HttpContext context, ControlCaller caller)
    {
        var name = context.Request.Query["action"].ToString();
        if (ParseAction(name) is not { } action)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status400BadRequest,
                $"action must be one of on, off, force-off, cycle or reset{(name.Length == 0 ? "" : $" (not '{name}')")}").ConfigureAwait(false);
            return;
        }
        await RunAsync(context, caller, action).ConfigureAwait(false);
    }

    private async Task RunAsync(HttpContext context, ControlCaller caller, PowerAction action)
    {
        var site = state.Current;
        var name = context.Request.Query["host"].ToString();
        if (site.FindHost(name) is not { } host)
        {
            var hint = site.HostHint(name);
            await ControlService.ReplyAsync(context, StatusCodes.Status404NotFound,
                name.Length == 0 ? "host= must name a host of the site" : $"no host named '{name}' in {state.Path}{hint}").ConfigureAwait(false);
            return;
        }
        if (host.Power is null)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status409Conflict,
                $"host {host.Name} ({host.Location}) has no power: wiring (add power: {{ driver: ... }}; docs/power.md)").ConfigureAwait(false);
            return;
        }
        var reply = await power.RunAsync(host, action, caller.EventClient, context.RequestAborted).ConfigureAwait(false);
        var body = new PowerActionReply(host.Name, ActionName(action), reply.Succeeded, reply.State.ToString().ToLowerInvariant(), reply.Message);
        await ControlService.WriteAsync(context, reply.Succeeded ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity,
            body, PowerJson.Default.PowerActionReply).ConfigureAwait(false);
    }

    private Task NextBootAsync(HttpContext context, ControlCaller caller) => NextBootAsync(context, caller, null);

    private async Task SetNextBootAsync(HttpContext context, ControlCaller caller)
    {
        var target = context.Request.Query["target"].ToString();
        if (target is not (NextBoot.Pxe or "none"))
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status400BadRequest,
                $"target must be pxe (the network boot, once) or none (clear){(target.Length == 0 ? "" : $" (not '{target}')")}").ConfigureAwait(false);
            return;
        }
        await NextBootAsync(context, caller, target).ConfigureAwait(false);
    }

    private async Task NextBootAsync(HttpContext context, ControlCaller caller, string? target)
    {
        var site = state.Current;
        var name = context.Request.Query["host"].ToString();
        if (site.FindHost(name) is not { } host)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status404NotFound,
                name.Length == 0 ? "host= must name a host of the site" : $"no host named '{name}' in {state.Path}{site.HostHint(name)}").ConfigureAwait(false);
            return;
        }
        try
        {
            if (target == NextBoot.Pxe) overrides.SetPxe(host, caller.EventClient);
            else if (target is not null) overrides.Clear(host, caller.EventClient);
        }
        catch (BootOverrideException e)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status409Conflict, e.Message).ConfigureAwait(false);
            return;
        }
        await ControlService.WriteAsync(context, StatusCodes.Status200OK, NextBootOf(site, host, overrides), PowerJson.Default.NextBootReply).ConfigureAwait(false);
    }

    /// <summary>What GET /api/v1/next-boot answers for <paramref name="host"/>.</summary>
    internal static NextBootReply NextBootOf(SiteInventory site, HostEntry host, BootOverrides overrides)
    {
        var binding = site.Resolve(host.Mac);
        var next = overrides.Of(host.Name);
        var pxe = binding.PxeProfile;
        return new NextBootReply(host.Name, next?.Target ?? "none", pxe?.Name, next?.SetBy, next?.Since,
            pxe is null ? ["none"] : ["none", NextBoot.Pxe], pxe is null ? BootOverrides.NoPxeReason(binding) : null);
    }

    private async Task RecoveryAsync(HttpContext context, ControlCaller caller)
    {
        var hosts = (recovery?.Snapshot ?? []).Select(s => new RecoveryHostReply(
            s.Host, s.Phase?.ToString().ToLowerInvariant(), s.Since, s.Cycles, s.Policy?.Attempts,
            s.Policy is { } p ? (long)p.BootTimeout.TotalSeconds : null, s.Policy?.ProbeText,
            s.Policy is { ProbePort: not null } q ? (long)q.DownAfter.TotalSeconds : null, s.LastReason, s.Gap)).ToArray();
        await ControlService.WriteAsync(context, StatusCodes.Status200OK, new RecoveryReply(hosts), PowerJson.Default.RecoveryReply).ConfigureAwait(false);
    }
}

/// <summary>GET and POST /api/v1/power: the host, the action (status for GET), whether it did what was asked, the state after it (on, off, unknown), one sentence.</summary>
internal sealed record PowerActionReply(string Host, string Action, bool Succeeded, string State, string Message);

/// <summary>
/// GET and POST /api/v1/next-boot: the host, its one-time target (pxe, or none), the profile a network boot serves it
/// (null: none), who set it and when, the targets it takes, and why pxe is not one of them.
/// </summary>
internal sealed record NextBootReply(string Host, string Target, string? PxeProfile, string? SetBy, DateTimeOffset? Since, string[] Targets, string? NoPxe);

/// <summary>One host in GET /api/v1/recovery; a host that cannot be recovered has only <c>gap</c> (why not).</summary>
internal sealed record RecoveryHostReply(string Host, string? Phase, DateTimeOffset? Since, int Cycles, int? Attempts,
    long? BootTimeoutSeconds, string? Probe, long? DownAfterSeconds, string? LastReason, string? Gap);

/// <summary>GET /api/v1/recovery.</summary>
internal sealed record RecoveryReply(RecoveryHostReply[] Hosts);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(PowerActionReply))]
[JsonSerializable(typeof(RecoveryReply))]
[JsonSerializable(typeof(NextBootReply))]
internal sealed partial class PowerJson : JsonSerializerContext;
