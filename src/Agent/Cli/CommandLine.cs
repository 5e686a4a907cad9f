using System.CommandLine;
using System.CommandLine.Help;
using NetbootPi.Agent.Cli.Local;
using NetbootPi.Agent.Cli.Remote;
using NetbootPi.Agent.Hosting;
using NetbootPi.Agent.Os.Files;

namespace NetbootPi.Agent.Cli;

/// <summary>
/// The <c>netbootpi</c> command line. <c>Local/</c> holds the commands that read the site and the state files
/// themselves, <c>Remote/</c> those that ask the running agent over its control socket; <c>run</c> is the agent. Exit codes: 0 done, 1 the command could not do it (an invalid site, a
/// missing host, a file it cannot write), 2 the command line itself was wrong.
/// </summary>
public static class CommandLine
{
    public const int ExitOk = 0;
    public const int ExitInvalid = 1;
    public const int ExitUsage = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellation = default)
    {
        var root = Build(stdout, stderr);
        if (args.Length == 0)
        {
            stderr.WriteLine("netbootpi: no command given; 'netbootpi --help' lists them");
            return ExitUsage;
        }
        // No response files: "@..." is text to type, a password, an image name, never a file to read arguments from.
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0)
        {
            // The first mistake or two and where to look, not the whole usage after every typo.
            foreach (var error in parse.Errors.Take(2)) stderr.WriteLine($"netbootpi: {error.Message}");
            stderr.WriteLine($"see 'netbootpi {string.Join(' ', CommandPath(parse.CommandResult.Command, root))}--help'");
            return ExitUsage;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                EnableDefaultExceptionHandler = false,
            }, cancellation).ConfigureAwait(false);
        }
        catch (ControlClientException e)
        {
            stderr.WriteLine($"netbootpi: {e.Message}");
            return ExitInvalid;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Commands name the file they were at; this is the last guard: one line, never a stack trace.
            stderr.WriteLine($"netbootpi: a file could not be read or written: {FileErrors.Reason(e, "")}");
            return ExitInvalid;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug: one line for the person at the terminal, the trace when asked for.
            stderr.WriteLine(Environment.GetEnvironmentVariable("NETBOOTPI_DEBUG") is "1"
                ? $"netbootpi: internal error: {e}"
                : $"netbootpi: internal error: {e.GetType().Name}: {e.Message} (NETBOOTPI_DEBUG=1 shows where)");
            return ExitInvalid;
        }
    }

    private static Command Build(TextWriter stdout, TextWriter stderr)
    {
        // A plain command as the root: named netbootpi whatever the executable is called (a test host, a renamed
        // binary), with help and our own --version (the version alone, without the source revision).
        var root = new Command("netbootpi", "network boots, the box's own network and an out-of-band console, from one site file")
        {
            new HelpOption(),
        };
        var version = new Option<bool>("--version") { Description = "print the version" };
        root.Options.Add(version);
        root.Options.Add(SiteOption.Config);
        root.SetAction(parse =>
        {
            if (!parse.GetValue(version))
            {
                stderr.WriteLine("netbootpi: no command given; 'netbootpi --help' lists them");
                return ExitUsage;
            }
            stdout.WriteLine($"netbootpi {AgentVersion.Current}");
            return ExitOk;
        });
        root.Subcommands.Add(CheckCommand.Create(stdout, stderr));
        var show = ShowCommand.Create(stdout, stderr);
        // show host reads the site; show network asks the running agent.
        show.Subcommands.Add(NetworkCommands.Show(stdout));
        root.Subcommands.Add(show);
        root.Subcommands.Add(PlanCommand.Create(stdout, stderr));
        root.Subcommands.Add(RunCommand.Create(stderr));
        root.Subcommands.Add(OverlayCommand.Create(stdout, stderr));
        root.Subcommands.Add(NfsRootCommand.Create(stdout, stderr));
        root.Subcommands.Add(EventsCommand.Create(stdout, stderr));
        root.Subcommands.Add(FetchCommand.Create(stdout, stderr));
        root.Subcommands.Add(LeasesCommand.Create(stdout, stderr));
        root.Subcommands.Add(WireGuardCommand.Create(stdout, stderr));
        root.Subcommands.Add(BackupCommand.Create(stdout, stderr, AgentVersion.Current));
        root.Subcommands.Add(PowerCommand.Create(stdout, stderr));
        root.Subcommands.Add(ConsoleCommand.Create(stdout, stderr));
        foreach (var option in SocketOption.All) root.Options.Add(option);
        root.Subcommands.Add(StatusCommand.Create(stdout));
        root.Subcommands.Add(ReloadCommand.Create(stdout, stderr));
        root.Subcommands.Add(SiteCommands.Create(stdout, stderr));
        root.Subcommands.Add(HostsCommand.Create(stdout));
        root.Subcommands.Add(RecoveryCommand.Create(stdout));
        root.Subcommands.Add(NextBootCommand.Create(stdout));
        root.Subcommands.Add(InstallCommands.Reinstall(stdout));
        root.Subcommands.Add(AlertsCommand.Create(stdout, stderr));
        root.Subcommands.Add(NetworkCommands.Apply(stdout, stderr));
        root.Subcommands.Add(NetworkCommands.Confirm(stdout, stderr));
        root.Subcommands.Add(UserCommands.Create(stdout, stderr));
        root.Subcommands.Add(TokenCommands.Create(stdout, stderr));
        // The USB gadget's attach, eject and status join the catalog's subcommands in this group.
        var media = new Command("media", "the image catalog: images for the USB gadget's disk and for network boot (docs/media.md)");
        foreach (var c in MediaCatalogCommands.Create(stdout, stderr)) media.Subcommands.Add(c);
        MediaCommands.AddTo(media, stdout, stderr);
        root.Subcommands.Add(media);
        root.Subcommands.Add(KeyboardCommands.Type(stdout));
        root.Subcommands.Add(KeyboardCommands.Key(stdout));
        root.Subcommands.Add(KeyboardCommands.Mouse(stdout));
        root.Subcommands.Add(KeyboardCommands.Status(stdout));
        root.Subcommands.Add(CaptureCommands.Create(stdout, stderr));
        root.Subcommands.Add(CompletionCommand.Create(stdout, stderr));
        // A tree of its own parses the line being completed (a parse never runs a command).
        root.Subcommands.Add(CompletionCommand.Hidden(() => Build(TextWriter.Null, TextWriter.Null), stdout));
        return root;
    }

    private static string CommandPath(Command command, Command root)
    {
        var names = new List<string>();
        for (Symbol? s = command; s is Command c && c != root; s = c.Parents.FirstOrDefault()) names.Insert(0, c.Name);
        return names.Count == 0 ? "" : string.Join(' ', names) + " ";
    }
}
