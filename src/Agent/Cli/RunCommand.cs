using System.Globalization;
using System.Net;
using Microsoft.Extensions.Hosting;
using NetbootPi.Agent.Hosting;
using NetbootPi.Agent.Http;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Cli;

/// <summary><c>netbootpi run</c>: refuses to start on an invalid site file, otherwise runs until SIGTERM.</summary>
internal static class RunCommand
{
    public static readonly string[] Values = ["--listen", "--tftp-port", "--http-listen"];
    public static readonly string[] Flags = ["--no-dhcp", "--no-tftp"];

    public static bool TryGetEndpoints(Options options, out AgentEndpoints endpoints, out string error)
    {
        endpoints = AgentEndpoints.Default;
        error = "";
        var address = IPAddress.Any;
        if (options.Value("--listen") is { } listen && (!IPAddress.TryParse(listen, out address!) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork))
        {
            error = $"--listen: '{listen}' is not an IPv4 address";
            return false;
        }
        var tftpPort = 69;
        if (options.Value("--tftp-port") is { } tp && (!int.TryParse(tp, NumberStyles.None, CultureInfo.InvariantCulture, out tftpPort) || tftpPort > 65535))
        {
            error = $"--tftp-port: '{tp}' is not a port number (0 picks a free one)";
            return false;
        }
        HttpListenAddress? http = null;
        if (options.Value("--http-listen") is { } hl && !HttpListenAddress.TryParse(hl, out http))
        {
            error = $"--http-listen: '{hl}' is not ADDRESS:PORT (e.g. 127.0.0.1:8080)";
            return false;
        }
        endpoints = new AgentEndpoints(address, tftpPort, EnableDhcp: !options.Flag("--no-dhcp"), EnableTftp: !options.Flag("--no-tftp"), http);
        return true;
    }

    public static async Task<int> RunAsync(string configPath, AgentEndpoints endpoints, TextWriter stderr, CancellationToken cancellation)
    {
        var result = SiteFile.Load(configPath);
        if (result.Inventory is not { } site)
        {
            foreach (var e in result.Errors) stderr.WriteLine(e);
            stderr.WriteLine($"netbootpi: not starting: {configPath} has {result.Errors.Count} error{(result.Errors.Count == 1 ? "" : "s")}");
            return CommandLine.ExitInvalid;
        }
        using var host = AgentHost.Build(configPath, site, endpoints);
        try
        {
            await host.RunAsync(cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or UnauthorizedAccessException)
        {
            // A port already taken (Kestrel wraps it in an IOException), a missing privilege, an unwritable state
            // directory: say what and what to check, and exit with a code rather than an unhandled-exception abort.
            stderr.WriteLine($"netbootpi: a server could not start: {e.Message} (is another DHCP/TFTP/web server running, and is netbootpi root or CAP_NET_BIND_SERVICE?)");
            return CommandLine.ExitInvalid;
        }
        return CommandLine.ExitOk;
    }
}
