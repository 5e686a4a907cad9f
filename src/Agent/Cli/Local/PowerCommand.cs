using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Power;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Cli.Local;

/// <summary>
/// <c>netbootpi power HOST on|off|cycle|reset|status</c>: a host's power through the wiring its <c>power:</c> names,
/// done by this process itself (the control API will take it over). Every action but status is a boot event of
/// the host (<c>netbootpi events</c>), whether it succeeded or not.
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
        var command = new Command("power", "turn a host on or off, cycle or reset it, or show its power, through its power: wiring (docs/power.md)")
        {
            host, action, force,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            if (SiteOption.Load(parse, stderr) is not { } site) return CommandLine.ExitInvalid;
            var name = parse.GetValue(host)!;
            if (site.FindHost(name) is not { } entry)
            {
                var hint = SiteReader.Suggest(name, site.Hosts.Select(h => h.Name).ToArray()) is { } best ? $" (did you mean '{best}'?)" : "";
                stderr.WriteLine($"netbootpi: no host named '{name}' in {SiteOption.PathOf(parse)}{hint}");
                return CommandLine.ExitInvalid;
            }
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
            return await RunAsync(site, SiteOption.PathOf(parse), entry, what, stdout, stderr, cancellation).ConfigureAwait(false);
        });
        return command;
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
            if (action != PowerAction.Status) Record(site, host, label, $"failed: {e.Message}", ok: false);
            stderr.WriteLine($"netbootpi: power {label} {host.Name}: {e.Message}");
            return CommandLine.ExitInvalid;
        }
        if (action != PowerAction.Status) Record(site, host, label, reply.Message, reply.Succeeded);
        (reply.Succeeded ? stdout : stderr).WriteLine(reply.Succeeded ? $"{host.Name}: {reply.Message}" : $"netbootpi: power {label} {host.Name}: {reply.Message}");
        return reply.Succeeded ? CommandLine.ExitOk : CommandLine.ExitInvalid;
    }

    private static void Record(SiteInventory site, HostEntry host, string action, string outcome, bool ok)
    {
        // The running agent appends to the same file. Until the control API carries power actions to it, this
        // process adds its line itself; a line written in the same instant as one of the agent's batches could
        // interleave with it (docs/power.md says so).
        Directory.CreateDirectory(site.Server.StateDirectory);
        using var log = new BootEventLog(site.Server.StateDirectory, NullLogger<BootEventLog>.Instance);
        log.Record(new BootEvent(DateTimeOffset.UtcNow, $"cli:{Environment.UserName}", host.Name,
            BootEventKind.Power, $"{action}: {outcome}", ok ? 0 : 1, 0));
    }
}
