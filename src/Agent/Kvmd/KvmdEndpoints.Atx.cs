using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Power;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Kvmd;

// kvmd's ATX (kvmd/apps/kvmd/api/atx.py, kvmd/plugins/atx/gpio.py) on the console host's power: wiring.
public sealed partial class KvmdEndpoints
{
    /// <summary>The console host, or null after answering why there is none to power.</summary>
    private async Task<HostEntry?> AtxHostAsync(HttpContext context)
    {
        var site = state.Current;
        if (site.Kvm?.Host is { } name && site.Hosts.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)) is { Power: not null } host)
            return host;
        await KvmdReplies.ErrorAsync(context, StatusCodes.Status400BadRequest, "AtxOperationError", site.Kvm is null
            ? "the site names no console host (kvm: { host: NAME }; docs/console.md), whose power kvmd's ATX would be"
            : $"the console host {site.Kvm.Host} has no power: wiring, so there is no ATX to act on (docs/power.md)").ConfigureAwait(false);
        return null;
    }

    private async Task AtxAsync(HttpContext context, ControlCaller caller)
    {
        var site = state.Current;
        var host = site.Kvm?.Host is { } name ? site.Hosts.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)) : null;
        var on = false;
        if (host?.Power is not null)
        {
            var status = await power.RunAsync(host, PowerAction.Status, caller.EventClient, context.RequestAborted).ConfigureAwait(false);
            on = status.State == Hardware.Power.PowerState.On;
        }
        await KvmdReplies.WriteAsync(context, StatusCodes.Status200OK,
            new KvmdAtxReply(true, new KvmdAtxState(host?.Power is not null, false, new KvmdAtxActs(false, false), new KvmdAtxLeds(on, false))),
            KvmdJson.Default.KvmdAtxReply).ConfigureAwait(false);
    }

    private async Task AtxPowerAsync(HttpContext context, ControlCaller caller)
    {
        var text = context.Request.Query["action"].ToString();
        PowerAction? action = text.Trim().ToLowerInvariant() switch
        {
            "on" => PowerAction.On,
            "off" => PowerAction.Off,
            "off_hard" => PowerAction.ForceOff,
            "reset_hard" => PowerAction.Reset,
            _ => null,
        };
        if (action is null)
        {
            await KvmdReplies.InvalidAsync(context, text, "ATX power action", "on, off, off_hard or reset_hard").ConfigureAwait(false);
            return;
        }
        if (!await WaitValidAsync(context).ConfigureAwait(false)) return;
        if (await AtxHostAsync(context).ConfigureAwait(false) is not { } host) return;
        await ActAsync(context, caller, host, action.Value).ConfigureAwait(false);
    }

    private async Task AtxClickAsync(HttpContext context, ControlCaller caller)
    {
        var button = context.Request.Query["button"].ToString().Trim().ToLowerInvariant();
        if (button is not ("power" or "power_long" or "reset"))
        {
            await KvmdReplies.InvalidAsync(context, context.Request.Query["button"].ToString(), "ATX button", "power, power_long or reset").ConfigureAwait(false);
            return;
        }
        if (!await WaitValidAsync(context).ConfigureAwait(false)) return;
        if (await AtxHostAsync(context).ConfigureAwait(false) is not { } host) return;
        PowerAction action;
        if (button == "power")
        {
            // A short press toggles: the driver's status says which way (a press of the real button on a host
            // that is on asks its OS to shut down).
            var status = await power.RunAsync(host, PowerAction.Status, caller.EventClient, context.RequestAborted).ConfigureAwait(false);
            action = status.State == Hardware.Power.PowerState.On ? PowerAction.Off : PowerAction.On;
        }
        else action = button == "power_long" ? PowerAction.ForceOff : PowerAction.Reset;
        await ActAsync(context, caller, host, action).ConfigureAwait(false);
    }

    /// <summary>kvmd's <c>wait</c>, a boolean when given; false after answering 400.</summary>
    private static async Task<bool> WaitValidAsync(HttpContext context)
    {
        if (!context.Request.Query.TryGetValue("wait", out var wait) || KvmdReplies.Bool(wait.ToString()) is not null) return true;
        await KvmdReplies.InvalidAsync(context, wait.ToString(), "bool (['1', 'true', 'yes'] or ['0', 'false', 'no'])", "wait=1 or wait=0").ConfigureAwait(false);
        return false;
    }

    private async Task ActAsync(HttpContext context, ControlCaller caller, HostEntry host, PowerAction action)
    {
        var reply = await power.RunAsync(host, action, caller.EventClient, context.RequestAborted).ConfigureAwait(false);
        if (!reply.Succeeded)
        {
            await KvmdReplies.ErrorAsync(context, StatusCodes.Status400BadRequest, "AtxOperationError",
                $"{WakeOnLanDriver.ActionName(action)} on {host.Name}: {reply.Message}").ConfigureAwait(false);
            return;
        }
        await KvmdReplies.DoneAsync(context).ConfigureAwait(false);
    }
}
