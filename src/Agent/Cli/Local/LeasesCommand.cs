using System.CommandLine;
using System.Globalization;
using NetbootPi.Agent.Cli.Remote;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Dns;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Dhcp.Leases;

namespace NetbootPi.Agent.Cli.Local;

/// <summary>
/// <c>netbootpi leases</c>: the DHCP leases with the host each MAC belongs to: the running agent's (the socket, or
/// <c>--url</c>), or the lease files in the site's state directory when no agent listens (or with <c>--files</c>).
/// </summary>
internal static class LeasesCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var files = new Option<bool>("--files") { Description = "read the lease files in the state directory even when an agent runs" };
        var command = new Command("leases", "the DHCP leases: the running agent's, or the lease files when none runs") { files, SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            if (!parse.GetValue(files) && SocketOption.AgentReachable(parse)) return await ThroughAgentAsync(parse, stdout, cancellation).ConfigureAwait(false);
            if (parse.GetValue(SocketOption.Json))
            {
                stderr.WriteLine("netbootpi: --json needs a running agent (the lease files are read as a table only)");
                return CommandLine.ExitUsage;
            }
            return SiteOption.Load(parse, stderr) is { } site ? Run(site, stdout, stderr) : CommandLine.ExitInvalid;
        });
        return command;
    }

    private static async Task<int> ThroughAgentAsync(ParseResult parse, TextWriter stdout, CancellationToken cancellation)
    {
        using var client = SocketOption.Client(parse);
        var (_, body, leases) = await client.SendAsync(HttpMethod.Get, HostEndpoints.LeasesPath, ControlJson.Default.LeaseReplyArray, cancellation).ConfigureAwait(false);
        if (parse.GetValue(SocketOption.Json))
        {
            stdout.WriteLine(body);
            return CommandLine.ExitOk;
        }
        stdout.WriteLine(Header);
        foreach (var l in leases) stdout.WriteLine(Line(l.Address, l.Mac, l.Host ?? "-", l.State, l.Expires, (l.ClientName ?? "-") + (l.Dns is { } d ? $" ({d})" : "")));
        return CommandLine.ExitOk;
    }

    private static readonly string Header = $"{"address",-15}  {"mac",-17}  {"host",-16}  {"state",-9}  {"expires (UTC)",-19}  client name (in DNS?)";

    private static string Line(string address, string mac, string host, string state, DateTimeOffset expires, string name) =>
        $"{address,-15}  {mac,-17}  {host,-16}  {state,-9}  {expires.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}  {name}";

    private static int Run(SiteInventory site, TextWriter stdout, TextWriter stderr)
    {
        var directory = site.Server.StateDirectory;
        if (!File.Exists(Path.Combine(directory, LeaseStore.JournalFileName)) && !File.Exists(Path.Combine(directory, LeaseStore.SnapshotFileName)))
        {
            stdout.WriteLine($"no leases yet in {directory}");
            return CommandLine.ExitOk;
        }
        var (leases, report) = LeaseStore.Read(directory);
        if (report.DroppedTornRecord) stderr.WriteLine($"netbootpi: {directory}: {report}");
        var now = DateTimeOffset.UtcNow;
        // The names the box answers for pooled clients now, as the running agent chooses them from these leases.
        var pooled = site.Dns is null ? PooledNames.None : SiteZone.Build(site, leases, now).Pooled;
        stdout.WriteLine(Header);
        foreach (var l in leases.OrderBy(l => l.Address))
        {
            var state = HostEndpoints.StateName(l, now);
            var host = site.FindHost(l.Mac)?.Name ?? "-";
            var name = (l.HostName ?? "-") + (HostEndpoints.PooledDns(site, pooled, l) is { } d ? $" ({d})" : "");
            stdout.WriteLine(Line(l.Address.ToString(), l.Mac.ToString(), host, state, l.ExpiresAt, name));
        }
        return CommandLine.ExitOk;
    }
}
