using System.CommandLine;
using System.Globalization;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Power;

namespace NetbootPi.Agent.Cli.Remote;

/// <summary>
/// <c>netbootpi next-boot HOST [pxe|none]</c>: shows, sets or clears a host's one-time network boot on the running
/// agent (<see cref="BootOverrides"/>): with <c>pxe</c> the host's next iPXE script is its network boot (its
/// local-disk profile's <c>pxe:</c> target) instead of its disk, once. Redfish's Boot override to Pxe is the same.
/// </summary>
internal static class NextBootCommand
{
    public static Command Create(TextWriter stdout)
    {
        var host = new Argument<string>("HOST") { Description = "the host's name in the site file" };
        var target = new Argument<string?>("TARGET")
        {
            Description = "pxe: its network boot at its next start, once; none: clear; without: show",
            Arity = ArgumentArity.ZeroOrOne,
        };
        target.AcceptOnlyFromAmong(NextBoot.Pxe, "none");
        var command = new Command("next-boot", "show, set (pxe) or clear (none) a host's one-time network boot: its next boot is served over the network, then its profile again (docs/power.md)")
        {
            host, target, SocketOption.Json,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var query = $"?host={Uri.EscapeDataString(parse.GetValue(host)!)}";
            var (method, path) = parse.GetValue(target) is { } t
                ? (HttpMethod.Post, $"{PowerEndpoints.NextBootPath}{query}&target={t}")
                : (HttpMethod.Get, PowerEndpoints.NextBootPath + query);
            var (_, body, reply) = await client.SendAsync(method, path, PowerJson.Default.NextBootReply, cancellation).ConfigureAwait(false);
            if (parse.GetValue(SocketOption.Json))
            {
                stdout.WriteLine(body);
                return CommandLine.ExitOk;
            }
            if (reply.Target == NextBoot.Pxe)
                stdout.WriteLine($"{reply.Host}: next boot over the network, once: profile {reply.PxeProfile} (set by {reply.SetBy} at {reply.Since?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss'Z'", CultureInfo.InvariantCulture)})");
            else if (reply.PxeProfile is { } profile)
                stdout.WriteLine($"{reply.Host}: no one-time boot set; `netbootpi next-boot {reply.Host} pxe` would serve profile {profile} once");
            else
                stdout.WriteLine($"{reply.Host}: no one-time boot set, and none can be: {reply.NoPxe}");
            return CommandLine.ExitOk;
        });
        return command;
    }
}
