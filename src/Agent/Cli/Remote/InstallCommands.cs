using System.CommandLine;
using System.Globalization;
using NetbootPi.Agent.Control;

namespace NetbootPi.Agent.Cli.Remote;

/// <summary>
/// Unattended installs through the running agent (docs/installs.md): <c>netbootpi reinstall HOST</c> starts a host's
/// next install; <c>netbootpi show host NAME --install</c> prints every file the host will fetch, as it will get it.
/// </summary>
internal static class InstallCommands
{
    public static Command Reinstall(TextWriter stdout)
    {
        var host = new Argument<string>("HOST") { Description = "the host's name in the site file" };
        var command = new Command("reinstall", "install a host again: its next boot runs its install profile with a new token (docs/installs.md)")
        {
            host, SocketOption.Json,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (_, body, reply) = await client.SendAsync(HttpMethod.Post, $"{InstallEndpoints.ReinstallPath}?host={Uri.EscapeDataString(parse.GetValue(host)!)}",
                InstallJson.Default.InstallReply, cancellation).ConfigureAwait(false);
            if (parse.GetValue(SocketOption.Json)) stdout.WriteLine(body);
            else stdout.WriteLine($"{reply.Host}: install {reply.Generation} ({reply.Kind}) at its next network boot, then profile {reply.Then}");
            return CommandLine.ExitOk;
        });
        return command;
    }

    /// <summary>What <c>show host NAME --install</c> prints: the state, the kernel arguments, then each file under a header line.</summary>
    public static async Task<int> ShowAsync(ControlClient client, string host, bool json, TextWriter stdout, CancellationToken cancellation)
    {
        var (_, body, reply) = await client.SendAsync(HttpMethod.Get, $"{InstallEndpoints.InstallPath}?host={Uri.EscapeDataString(host)}",
            InstallJson.Default.InstallReply, cancellation).ConfigureAwait(false);
        if (json)
        {
            stdout.WriteLine(body);
            return CommandLine.ExitOk;
        }
        stdout.WriteLine($"# {reply.Host}: {reply.Kind} install {reply.Generation}, then profile {reply.Then}; boots {reply.Boots} now");
        stdout.WriteLine($"# fetched: {Time(reply.Fetched)}; completed: {Time(reply.Completed)}{(reply.CompletedFrom is { } from ? $" (from {from})" : "")}");
        stdout.WriteLine($"# kernel arguments: {reply.KernelArguments}");
        stdout.WriteLine($"# completion: {reply.DoneUrl}");
        foreach (var file in reply.Files)
        {
            stdout.WriteLine($"# ---- {file.Url}");
            stdout.Write(file.Content);
        }
        return CommandLine.ExitOk;
    }

    private static string Time(DateTimeOffset? t) => t?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "not yet";
}
