using System.CommandLine;
using System.Text;
using NetbootPi.Agent.Consoles;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Cli.Local;

/// <summary>
/// <c>netbootpi console HOST [--lines N] [--follow]</c>: a host's serial console as the running agent keeps it
/// (<c>STATE/consoles/HOST.log</c>): its last lines, and with <c>--follow</c> the new ones as they come.
/// </summary>
internal static class ConsoleCommand
{
    private static readonly TimeSpan FollowPoll = TimeSpan.FromMilliseconds(200);

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var host = new Argument<string>("HOST") { Description = "the host's name in the site file" };
        var lines = new Option<int>("--lines", "-n") { Description = "how many of the last lines to print", DefaultValueFactory = _ => 50 };
        var follow = new Option<bool>("--follow", "-f") { Description = "keep printing new lines as the host writes them, until interrupted" };
        var command = new Command("console", "a host's serial console as the box records it (console: in the site file; docs/power.md)") { host, lines, follow };
        command.SetAction(async (parse, cancellation) =>
        {
            if (SiteOption.Load(parse, stderr) is not { } site) return CommandLine.ExitInvalid;
            var name = parse.GetValue(host)!;
            if (site.FindHost(name) is not { } entry)
            {
                var hint = site.HostHint(name);
                stderr.WriteLine($"netbootpi: no host named '{name}' in {SiteOption.PathOf(parse)}{hint}");
                return CommandLine.ExitInvalid;
            }
            if (entry.Console is null)
            {
                stderr.WriteLine($"netbootpi: host {entry.Name} ({entry.Location}) has no console: (add console: {{ serial: /dev/ttyUSB0 }} or {{ socket: PATH }}; docs/power.md)");
                return CommandLine.ExitInvalid;
            }
            var count = Math.Max(0, parse.GetValue(lines));
            foreach (var line in ConsoleLog.Tail(site.Server.StateDirectory, entry.Name, count)) stdout.WriteLine(line);
            if (!parse.GetValue(follow)) return CommandLine.ExitOk;
            await FollowAsync(ConsoleLog.PathOf(site.Server.StateDirectory, entry.Name), stdout, cancellation).ConfigureAwait(false);
            return CommandLine.ExitOk;
        });
        return command;
    }

    /// <summary>Prints what is added to <paramref name="path"/> from its current end on, following it across a rotation.</summary>
    private static async Task FollowAsync(string path, TextWriter stdout, CancellationToken cancellation)
    {
        long position = File.Exists(path) ? new FileInfo(path).Length : 0;
        var pending = new StringBuilder();
        try
        {
            while (!cancellation.IsCancellationRequested)
            {
                await Task.Delay(FollowPoll, cancellation).ConfigureAwait(false);
                if (!File.Exists(path)) continue;
                var length = new FileInfo(path).Length;
                // Shorter than what was read: the agent rotated it; the new file is read from its start.
                if (length < position) position = 0;
                if (length == position) continue;
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                stream.Position = position;
                using var reader = new StreamReader(stream, Encoding.UTF8);
                pending.Append(await reader.ReadToEndAsync(cancellation).ConfigureAwait(false));
                position = stream.Position;
                var text = pending.ToString();
                var end = text.LastIndexOf('\n');
                if (end < 0) continue;
                stdout.Write(text[..(end + 1)]);
                stdout.Flush();
                pending.Remove(0, end + 1);
            }
        }
        catch (OperationCanceledException)
        {
            // Interrupted: the normal way out.
        }
    }
}
