using System.CommandLine;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using NetbootPi.Agent.Cli.Remote;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Power;
using NetbootPi.Agent.Site;
using NetbootPi.Hardware.Power;

namespace NetbootPi.Agent.Cli.Local;

/// <summary>
/// <c>netbootpi power HOST on|off|cycle|reset|status</c>: a host's power through the wiring its <c>power:</c> names,
/// done by the running agent over its control socket (so that its recovery knows a host was turned off on purpose),
/// or by this process itself when no agent listens (or with <c>--direct</c>). Every action but status is a boot
/// event of the host (<c>netbootpi events</c>), whether it succeeded or not.
/// </summary>
internal static class PowerCommand
{
    private static readonly string[] Actions = ["on", "off", "cycle", "reset", "status"];

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var host = new Argument<string>("HOST") { Description = "the host's name in the site file" };
        var action = new Argument<string>("ACTION") { Description = "on, off (graceful; --force cuts the power), cycle, reset or status" };
        action.AcceptOnlyFromAmong(Actions);
        var force = new Option<bool>("--force") { Description = "off: cut the power (a long press, a BMC's ForceOff, qemu's quit) instead of asking the OS" };
        var direct = new Option<bool>("--direct")
        {
            Description = "drive the wiring from this process with the site file (--config) even when an agent runs; without it the running agent does it, and this process only when none listens",
        };
        var command = new Command("power", "turn a host on or off, cycle or reset it, or show its power, through its power: wiring (docs/power.md)")
        {
            host, action, force, direct, SocketOption.Json,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var name = parse.GetValue(host)!;
            var verb = parse.GetValue(action)!;
            var what = verb switch
            {
                "on" => PowerAction.On,
                "off" when parse.GetValue(force) => PowerAction.ForceOff,
                "off" => PowerAction.Off,
                "cycle" => PowerAction.Cycle,
                "reset" => PowerAction.Reset,
                _ => PowerAction.Status,
            };
            if (parse.GetValue(force) && verb != "off")
            {
                stderr.WriteLine("netbootpi: --force goes with off only");
                return CommandLine.ExitUsage;
            }
            if (!parse.GetValue(direct) && SocketOption.AgentReachable(parse))
                return await ThroughAgentAsync(parse, name, what, stdout, stderr, cancellation).ConfigureAwait(false);
            if (SiteOption.Load(parse, stderr) is not { } site) return CommandLine.ExitInvalid;
            if (site.FindHost(name) is not { } entry)
            {
                var hint = site.HostHint(name);
                stderr.WriteLine($"netbootpi: no host named '{name}' in {SiteOption.PathOf(parse)}{hint}");
                return CommandLine.ExitInvalid;
            }
            return await RunAsync(site, SiteOption.PathOf(parse), entry, what, stdout, stderr, cancellation).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> ThroughAgentAsync(ParseResult parse, string host, PowerAction action, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellation)
    {
        using var client = SocketOption.Client(parse);
        var query = $"?host={Uri.EscapeDataString(host)}";
        var (method, path) = action == PowerAction.Status
            ? (HttpMethod.Get, PowerEndpoints.PowerPath + query)
            : (HttpMethod.Post, $"{PowerEndpoints.PowerPath}{query}&action={PowerEndpoints.ActionName(action)}");
        var (_, body, reply) = await client.SendAsync(method, path, PowerJson.Default.PowerActionReply, cancellation,
            StatusCodes.Status422UnprocessableEntity).ConfigureAwait(false);
        if (parse.GetValue(SocketOption.Json)) stdout.WriteLine(body);
        else if (reply.Succeeded) stdout.WriteLine($"{reply.Host}: {reply.Message}");
        else stderr.WriteLine($"netbootpi: power {WakeOnLanDriver.ActionName(action)} {reply.Host}: {reply.Message}");
        return reply.Succeeded ? CommandLine.ExitOk : CommandLine.ExitInvalid;
    }

    internal static async Task<int> RunAsync(SiteInventory site, string siteFile, HostEntry host, PowerAction action, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellation)
    {
        if (host.Power is null)
        {
            stderr.WriteLine($"netbootpi: host {host.Name} ({host.Location}) has no power: wiring (add power: {{ driver: ... }}; docs/power.md)");
            return CommandLine.ExitInvalid;
        }
        var label = WakeOnLanDriver.ActionName(action);
        PowerReply reply;
        try
        {
            using var driver = PowerDrivers.For(site, siteFile, host, TimeProvider.System)!;
            reply = await driver.RunAsync(action, cancellation).ConfigureAwait(false);
        }
        catch (PowerException e)
        {
            if (action != PowerAction.Status) Record(site, host, action, new PowerReply(false, PowerState.Unknown, $"failed: {e.Message}"));
            stderr.WriteLine($"netbootpi: power {label} {host.Name}: {e.Message}");
            return CommandLine.ExitInvalid;
        }
        if (action != PowerAction.Status) Record(site, host, action, reply);
        (reply.Succeeded ? stdout : stderr).WriteLine(reply.Succeeded ? $"{host.Name}: {reply.Message}" : $"netbootpi: power {label} {host.Name}: {reply.Message}");
        return reply.Succeeded ? CommandLine.ExitOk : CommandLine.ExitInvalid;
    }

    private static void Record(SiteInventory site, HostEntry host, PowerAction action, PowerReply reply)
    {
        // Done without the agent (none listens, or --direct): this process adds its line to the agent's file itself;
        // one written in the same instant as one of the agent's batches could interleave with it (docs/power.md).
        Directory.CreateDirectory(site.Server.StateDirectory);
        using var log = new BootEventLog(site.Server.StateDirectory, NullLogger<BootEventLog>.Instance);
        log.Record(HostPowerService.Event(DateTimeOffset.UtcNow, $"cli:{Environment.UserName}", host, action, reply));
    }
}
