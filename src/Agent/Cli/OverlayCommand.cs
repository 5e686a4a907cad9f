using System.Globalization;
using NetbootPi.Agent.Overlays;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Cli;

/// <summary>
/// <c>netbootpi overlay list|get|rollback|token HOST</c>: the Alpine overlays stored under server.state_dir,
/// and the upload tokens of hosts without a static address.
/// </summary>
internal static class OverlayCommand
{
    public static int Run(IReadOnlyList<string> args, string configPath, bool rotate, TextWriter stdout, TextWriter stderr)
    {
        var result = SiteFile.Load(configPath);
        if (result.Inventory is not { } site)
        {
            foreach (var e in result.Errors) stderr.WriteLine(e);
            return CommandLine.ExitInvalid;
        }
        var who = args[1];
        MacAddress mac;
        if (site.FindHost(who) is { } host) mac = host.Mac;
        else if (!MacAddress.TryParse(who, out mac))
        {
            stderr.WriteLine($"netbootpi: no host named '{who}' in {configPath}, and it is not a MAC address");
            return CommandLine.ExitInvalid;
        }
        var store = new OverlayStore(site.Server.StateDirectory, AtomicFiles.Local);
        switch (args[0])
        {
            case "list":
                var versions = store.List(mac);
                if (versions.Count == 0) stdout.WriteLine($"{who}: no overlay stored (boots clean)");
                for (var i = 0; i < versions.Count; i++)
                {
                    var v = versions[i];
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{v.Number,6}  {v.Stored.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z  {v.Size,10} bytes{(i == versions.Count - 1 ? "  (served)" : "")}"));
                }
                return CommandLine.ExitOk;
            case "get":
                if (args.Count != 3)
                {
                    stderr.WriteLine("netbootpi: overlay get takes HOST FILE (FILE '-' writes to standard output)");
                    return CommandLine.ExitUsage;
                }
                if (store.Current(mac) is not { } current)
                {
                    stderr.WriteLine($"netbootpi: {who} has no overlay stored");
                    return CommandLine.ExitInvalid;
                }
                if (args[2] == "-")
                {
                    stdout.Flush();
                    using var source = File.OpenRead(current.Path);
                    using var output = Console.OpenStandardOutput();
                    source.CopyTo(output);
                }
                else File.Copy(current.Path, args[2], overwrite: true);
                return CommandLine.ExitOk;
            case "rollback":
                if (store.Rollback(mac, out var now))
                {
                    stdout.WriteLine($"{who}: now serving overlay version {now!.Number}");
                    return CommandLine.ExitOk;
                }
                stderr.WriteLine(now is null
                    ? $"netbootpi: {who} has no overlay stored"
                    : $"netbootpi: {who} has only version {now.Number}; there is nothing earlier to roll back to");
                return CommandLine.ExitInvalid;
            case "token":
                return Token(site, who, mac, configPath, rotate, stdout, stderr);
            default:
                stderr.WriteLine($"netbootpi: unknown overlay command '{args[0]}' (list, get, rollback, token)");
                return CommandLine.ExitUsage;
        }
    }

    private static int Token(SiteInventory site, string who, MacAddress mac, string configPath, bool rotate, TextWriter stdout, TextWriter stderr)
    {
        // Tokens are for the hosts the box cannot know by address: the site must name the host, without ip:.
        if (site.FindHost(mac) is not { } host)
        {
            stderr.WriteLine($"netbootpi: {who} is not a host in {configPath}; only its hosts can upload overlays");
            return CommandLine.ExitInvalid;
        }
        if (host.Ip is { } ip)
        {
            stderr.WriteLine($"netbootpi: {host.Name} has the static address {ip}: its uploads are accepted from that address, and a token is not used");
            return CommandLine.ExitInvalid;
        }
        stdout.WriteLine(new OverlayTokens(site.Server.StateDirectory, AtomicFiles.Local).Issue(mac, rotate));
        return CommandLine.ExitOk;
    }
}
