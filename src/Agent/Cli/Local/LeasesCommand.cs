using System.CommandLine;
using System.Globalization;
using NetbootPi.Agent.Dns;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Dhcp.Leases;

namespace NetbootPi.Agent.Cli.Local;

/// <summary><c>netbootpi leases</c>: the DHCP leases in the state directory, with the host each MAC belongs to.</summary>
internal static class LeasesCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("leases", "the DHCP leases in the state directory");
        command.SetAction(parse => SiteOption.Load(parse, stderr) is { } site ? Run(site, stdout, stderr) : CommandLine.ExitInvalid);
        return command;
    }

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
        stdout.WriteLine($"{"address",-15}  {"mac",-17}  {"host",-16}  {"state",-9}  {"expires (UTC)",-19}  client name (in DNS?)");
        foreach (var l in leases.OrderBy(l => l.Address))
        {
            var state = l.State switch
            {
                DhcpLeaseState.Bound when l.ExpiresAt <= now => "expired",
                DhcpLeaseState.Bound => "bound",
                DhcpLeaseState.Released => "released",
                _ => "declined",
            };
            var host = site.FindHost(l.Mac)?.Name ?? "-";
            var name = l.HostName ?? "-";
            if (pooled.Published.Any(p => p.Address == l.Address && p.Label == l.HostName)) name += $" ({l.HostName}.{site.Site.Domain})";
            else if (pooled.Refused.FirstOrDefault(r => r.Address == l.Address && r.Label == l.HostName) is { } r) name += $" (not in DNS: {r.Reason})";
            stdout.WriteLine($"{l.Address,-15}  {l.Mac,-17}  {host,-16}  {state,-9}  {l.ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}  {name}");
        }
        return CommandLine.ExitOk;
    }
}
