using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Hosting;
using NetbootPi.Agent.Apply.Network;
using NetbootPi.Agent.Apply.Nfs;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Devices;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Hosting;
using NetbootPi.Agent.Os;
using NetbootPi.Agent.Http;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Cli;

/// <summary><c>netbootpi run</c>: refuses to start on an invalid site file, otherwise runs until SIGTERM.</summary>
internal static class RunCommand
{
    public static Command Create(TextWriter stderr)
    {
        var listen = new Option<IPAddress>("--listen")
        {
            Description = "listen on this IPv4 address only (labs and tests)",
            HelpName = "ADDR",
            CustomParser = r => Ipv4(r, r.Tokens[0].Value),
        };
        var tftpPort = new Option<int>("--tftp-port")
        {
            Description = "the TFTP port (default 69; 0 picks a free one)",
            HelpName = "N",
            DefaultValueFactory = _ => 69,
            CustomParser = r => Port(r, r.Tokens[0].Value, "--tftp-port"),
        };
        var httpListen = new Option<HttpListenAddress?>("--http-listen")
        {
            Description = "the HTTP address and port, instead of server.http_port on every address",
            HelpName = "ADDR:PORT",
            CustomParser = r =>
            {
                if (HttpListenAddress.TryParse(r.Tokens[0].Value, out var http)) return http;
                r.AddError($"--http-listen: '{r.Tokens[0].Value}' is not ADDRESS:PORT (e.g. 127.0.0.1:8080)");
                return null;
            },
        };
        var controlSocket = new Option<string>("--control-socket")
        {
            Description = $"the control API's unix socket, or '{ControlSocketPath.None}' (default: ${ControlSocketPath.EnvironmentVariable}, else the unit's runtime directory, else /run/netbootpi)",
            HelpName = "PATH",
            DefaultValueFactory = _ => ControlSocketPath.Default,
        };
        var controlGroup = new Option<string>("--control-group")
        {
            Description = "members of this group may use the control socket as operators (root is admin)",
            HelpName = "NAME",
            DefaultValueFactory = _ => "netbootpi",
        };
        var watchdogDevice = new Option<string>("--watchdog-device")
        {
            Description = "hold this watchdog device and pet it while the agent is healthy (for boxes where systemd does not)",
            HelpName = "PATH",
        };
        var watchdogTimeout = new Option<int>("--watchdog-timeout")
        {
            Description = "the device's timeout in seconds (default 15, a Raspberry Pi's most)",
            HelpName = "SECONDS",
            DefaultValueFactory = _ => (int)WatchdogOptions.DefaultDeviceTimeout.TotalSeconds,
            CustomParser = r => int.TryParse(r.Tokens[0].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s is >= 1 and <= 3600
                ? s
                : Fail(r, $"--watchdog-timeout: '{r.Tokens[0].Value}' is not a number of seconds from 1 to 3600"),
        };
        var dnsListen = new Option<IPEndPoint?>("--dns-listen")
        {
            Description = "answer DNS on this address and port only, instead of port 53 on the site's DNS networks (labs and tests)",
            HelpName = "ADDR:PORT",
            CustomParser = r =>
            {
                var text = r.Tokens[0].Value;
                var colon = text.LastIndexOf(':');
                if (colon > 0 && Ipv4Address.TryParse(text.AsSpan(0, colon), out var a)
                    && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535)
                    return new IPEndPoint(a.ToIPAddress(), port);
                r.AddError($"--dns-listen: '{text}' is not ADDRESS:PORT (e.g. 127.0.0.1:5353)");
                return null;
            },
        };
        var networkApi = new Option<bool>("--network-api")
        {
            Description = "serve the control API over HTTPS on the management network's address too (server.api_port), for users and tokens; the unit on the box passes it",
        };
        var noDns = new Option<bool>("--no-dns") { Description = "run without the DNS server, even when the site has a dns: section" };
        var noDhcp = new Option<bool>("--no-dhcp") { Description = "run without the DHCP server" };
        var noTftp = new Option<bool>("--no-tftp") { Description = "run without the TFTP server" };
        var manageNetwork = new Option<bool>("--manage-network")
        {
            Description = "configure the box's own network from the site (server.network_backend) and load its firewall; the unit on the box passes it",
        };
        var manageNfs = new Option<bool>("--manage-nfs")
        {
            Description = "export the site's NFS roots (/etc/exports.d/netbootpi.exports, exportfs, nfs-server.service) at start and on every reload",
        };
        var confirmWithin = new Option<TimeSpan>("--confirm-within")
        {
            Description = "how long a network change made at start or on reload waits for 'netbootpi confirm' (default 2m)",
            HelpName = "DURATION",
            DefaultValueFactory = _ => TimeSpan.FromMinutes(2),
            CustomParser = r => Duration.Parse(r, r.Tokens[0].Value, "--confirm-within"),
        };
        var command = new Command("run", "run the agent (systemd: Type=notify; SIGHUP reloads the site file)")
        {
            listen, tftpPort, httpListen, controlSocket, controlGroup, watchdogDevice, watchdogTimeout, noDhcp, noTftp,
            manageNetwork, manageNfs, confirmWithin, dnsListen, noDns, networkApi,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var endpoints = new AgentEndpoints(parse.GetValue(listen) ?? IPAddress.Any, parse.GetValue(tftpPort),
                EnableDhcp: !parse.GetValue(noDhcp), EnableTftp: !parse.GetValue(noTftp), parse.GetValue(httpListen),
                parse.GetValue(controlSocket) is { } socket && socket != ControlSocketPath.None ? socket : null,
                parse.GetValue(controlGroup) ?? "netbootpi")
            {
                Network = parse.GetValue(manageNetwork) ? new NetworkServiceOptions { ConfirmWithin = parse.GetValue(confirmWithin) } : null,
                Nfs = parse.GetValue(manageNfs) ? new NfsApplierOptions() : null,
                EnableDns = !parse.GetValue(noDns),
                DnsListen = parse.GetValue(dnsListen),
                NetworkApi = parse.GetValue(networkApi),
            };
            var watchdog = new WatchdogOptions(SystemdNotifier.WatchdogInterval(), parse.GetValue(watchdogDevice),
                TimeSpan.FromSeconds(parse.GetValue(watchdogTimeout)));
            return await RunAsync(SiteOption.PathOf(parse), endpoints, watchdog, stderr, cancellation).ConfigureAwait(false);
        });
        return command;
    }

    private static IPAddress Ipv4(ArgumentResult r, string text)
    {
        if (Ipv4Address.TryParse(text, out var address)) return address.ToIPAddress();
        r.AddError($"--listen: '{text}' is not an IPv4 address (expected a dotted quad like 127.0.0.1)");
        return IPAddress.Any;
    }

    private static int Port(ArgumentResult r, string text, string option)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535) return port;
        r.AddError($"{option}: '{text}' is not a port number (0 picks a free one)");
        return 0;
    }

    private static int Fail(ArgumentResult r, string message)
    {
        r.AddError(message);
        return 0;
    }

    private static async Task<int> RunAsync(string configPath, AgentEndpoints endpoints, WatchdogOptions watchdog, TextWriter stderr, CancellationToken cancellation)
    {
        var result = SiteFile.Load(configPath);
        if (result.Inventory is not { } site)
        {
            foreach (var e in result.Errors) stderr.WriteLine(e);
            stderr.WriteLine($"netbootpi: not starting: {configPath} has {result.Errors.Count} error{(result.Errors.Count == 1 ? "" : "s")}");
            return CommandLine.ExitInvalid;
        }
        var host = AgentHost.Build(configPath, site, endpoints, watchdog);
        try
        {
            await host.StartAsync(cancellation).ConfigureAwait(false);
        }
        catch (ServiceStartException e)
        {
            var stopErrors = await StopAfterFailedStartAsync(host).ConfigureAwait(false);
            // Disposing flushes the log: the sentence that says why comes last, after the lines of what did start.
            host.Dispose();
            // Said once, as a sentence; the services log nothing more about it (no stack trace at Information).
            stderr.WriteLine($"netbootpi: not starting: {e.Message}");
            foreach (var error in stopErrors) stderr.WriteLine($"netbootpi: while stopping: {error}");
            return CommandLine.ExitInvalid;
        }
        try
        {
            await host.WaitForShutdownAsync(cancellation).ConfigureAwait(false);
        }
        finally
        {
            host.Dispose();
        }
        return CommandLine.ExitOk;
    }

    /// <summary>
    /// The services that did start stop as they do on SIGTERM (listeners closed, the watchdog disarmed), and the host
    /// knows it is stopping. Disposing it without a stop would cancel the background loops' tokens unannounced: a loop
    /// whose task had not begun yet (.NET 10 starts each through Task.Run on that token) then ends cancelled, and the
    /// host reports it as a crashed service with a stack trace, after the one sentence that says why.
    /// </summary>
    private static async Task<IReadOnlyList<string>> StopAfterFailedStartAsync(IHost host)
    {
        try
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return [];
        }
        catch (AggregateException e)
        {
            return [.. e.InnerExceptions.Select(inner => inner.Message)];
        }
    }
}
