using NetbootPi.Agent.Hosting;

namespace NetbootPi.Agent.Cli;

/// <summary>The <c>netbootpi</c> command line: parses the verb and hands off to one command.</summary>
public static class CommandLine
{
    public const int ExitOk = 0;
    public const int ExitInvalid = 1;
    public const int ExitUsage = 2;

    private const string Usage = """
        usage: netbootpi COMMAND [ARGS]

          check FILE                       validate a site file; print a summary, or every error (exit 1)
          show host NAME|MAC [--config FILE]
                                           everything the site derives for one machine
          run [--config FILE]              run the agent (systemd: Type=notify; SIGHUP reloads the site file)
              [--listen ADDR] [--tftp-port N] [--http-listen ADDR:PORT] [--no-dhcp] [--no-tftp]
                                           for labs and tests: listen on one address, move or leave out servers
          overlay list|get|rollback HOST [FILE] [--config FILE]
                                           stored Alpine overlays: list versions, copy the served one to
                                           FILE ('-': stdout), or drop it to serve the one before
          overlay token HOST [--rotate] [--config FILE]
                                           the upload token of a host without a static address (made on
                                           first use; --rotate replaces it): install it on the host as
                                           /etc/netbootpi/token
          events [HOST] [--config FILE]    boot events (script, kernel, initrd, modloop, overlay fetches)
          fetch [--config FILE]            download every mirror artifact the profiles name into the cache
          leases [--config FILE]           the DHCP leases the agent holds
          --version                        print the version

        FILE defaults to /etc/netbootpi/site.yaml.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellation = default)
    {
        if (args.Length == 0)
        {
            stderr.WriteLine(Usage);
            return ExitUsage;
        }
        var verb = args[0];
        var rest = args.AsSpan(1);
        switch (verb)
        {
            case "--version" or "version" when rest.IsEmpty:
                stdout.WriteLine($"netbootpi {AgentVersion.Current}");
                return ExitOk;
            case "--help" or "-h" or "help":
                stdout.WriteLine(Usage);
                return ExitOk;
            case "check":
                return Options.TryParse(rest, positional: 1, out var check, out var checkError)
                    ? CheckCommand.Run(check.Positional.Count == 1 ? check.Positional[0] : check.Config, stdout, stderr)
                    : Fail(stderr, checkError);
            case "show":
                if (!Options.TryParse(rest, positional: 2, out var show, out var showError)) return Fail(stderr, showError);
                if (show.Positional.Count != 2 || show.Positional[0] != "host")
                    return Fail(stderr, "show takes: host NAME|MAC [--config FILE]");
                return ShowCommand.Run(show.Positional[1], show.Config, stdout, stderr);
            case "run":
                if (!Options.TryParse(rest, positional: 0, out var run, out var runError, RunCommand.Values, RunCommand.Flags))
                    return Fail(stderr, runError);
                if (!RunCommand.TryGetEndpoints(run, out var endpoints, out var endpointError)) return Fail(stderr, endpointError);
                return await RunCommand.RunAsync(run.Config, endpoints, stderr, cancellation).ConfigureAwait(false);
            case "leases":
                if (!Options.TryParse(rest, positional: 0, out var leases, out var leasesError)) return Fail(stderr, leasesError);
                return LeasesCommand.Run(leases.Config, stdout, stderr);
            case "overlay":
                if (!Options.TryParse(rest, positional: 3, out var overlay, out var overlayError, flags: ["--rotate"])) return Fail(stderr, overlayError);
                if (overlay.Positional.Count < 2) return Fail(stderr, "overlay takes: list|get|rollback|token HOST [FILE] [--rotate] [--config FILE]");
                if (overlay.Flag("--rotate") && overlay.Positional[0] != "token") return Fail(stderr, "--rotate goes with overlay token only");
                return OverlayCommand.Run(overlay.Positional, overlay.Config, overlay.Flag("--rotate"), stdout, stderr);
            case "fetch":
                if (!Options.TryParse(rest, positional: 0, out var fetch, out var fetchError)) return Fail(stderr, fetchError);
                return await FetchCommand.RunAsync(fetch.Config, stdout, stderr).ConfigureAwait(false);
            case "events":
                if (!Options.TryParse(rest, positional: 1, out var ev, out var evError)) return Fail(stderr, evError);
                return EventsCommand.Run(ev.Positional.Count == 1 ? ev.Positional[0] : null, ev.Config, stdout, stderr);
            default:
                return Fail(stderr, $"unknown command '{verb}'");
        }
    }

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine($"netbootpi: {message}");
        stderr.WriteLine(Usage);
        return ExitUsage;
    }
}
