using System.CommandLine;
using System.Globalization;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Overlays;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Cli.Local;

/// <summary>
/// <c>netbootpi overlay list|get|rollback|token HOST</c>: the Alpine overlays stored under server.state_dir,
/// and the upload tokens of hosts without a static address.
/// </summary>
internal static class OverlayCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("overlay", "the Alpine overlays the box keeps per host");
        command.Subcommands.Add(Host("list", "list the stored versions; the served one is marked", stdout, stderr, (site, who, mac, _) =>
        {
            var versions = Store(site).List(mac);
            if (versions.Count == 0) stdout.WriteLine($"{who}: no overlay stored (boots clean)");
            for (var i = 0; i < versions.Count; i++)
            {
                var v = versions[i];
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{v.Number,6}  {v.Stored.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z  {v.Size,10} bytes{(i == versions.Count - 1 ? "  (served)" : "")}"));
            }
            return CommandLine.ExitOk;
        }));

        var destination = new Argument<string>("FILE") { Description = "where to copy it ('-': standard output)" };
        command.Subcommands.Add(Host("get", "copy the served version to FILE", stdout, stderr, (site, who, mac, parse) =>
        {
            if (Store(site).Current(mac) is not { } current)
            {
                stderr.WriteLine($"netbootpi: {who} has no overlay stored");
                return CommandLine.ExitInvalid;
            }
            var to = parse.GetValue(destination)!;
            try
            {
                if (to == "-")
                {
                    stdout.Flush();
                    using var source = File.OpenRead(current.Path);
                    using var output = Console.OpenStandardOutput();
                    source.CopyTo(output);
                }
                else File.Copy(current.Path, to, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"netbootpi: cannot copy {who}'s overlay to {FileErrors.Describe(e, to)}");
                return CommandLine.ExitInvalid;
            }
            return CommandLine.ExitOk;
        }, destination));

        command.Subcommands.Add(Host("rollback", "drop the served version; the one before is served again", stdout, stderr, (site, who, mac, _) =>
        {
            if (Store(site).Rollback(mac, out var now))
            {
                stdout.WriteLine($"{who}: now serving overlay version {now!.Number}");
                return CommandLine.ExitOk;
            }
            stderr.WriteLine(now is null
                ? $"netbootpi: {who} has no overlay stored"
                : $"netbootpi: {who} has only version {now.Number}; there is nothing earlier to roll back to");
            return CommandLine.ExitInvalid;
        }));

        var rotate = new Option<bool>("--rotate") { Description = "replace the token; the old one stops working at once" };
        command.Subcommands.Add(Host("token",
            "the upload token of a host without a static address (made on first use): install it on the host as /etc/netbootpi/token",
            stdout, stderr, (site, who, mac, parse) => Token(site, who, mac, SiteOption.PathOf(parse), parse.GetValue(rotate), stdout, stderr),
            rotate));
        return command;
    }

    private static OverlayStore Store(SiteInventory site) => new(site.Server.StateDirectory, AtomicFiles.Local);

    /// <summary>A subcommand taking HOST (and <paramref name="more"/>), run with the site loaded and the host resolved.</summary>
    private static Command Host(string name, string description, TextWriter stdout, TextWriter stderr,
        Func<SiteInventory, string, MacAddress, ParseResult, int> run, params Symbol[] more)
    {
        var host = new Argument<string>("HOST") { Description = "a host's name, or its MAC" };
        var command = new Command(name, description) { host };
        foreach (var symbol in more)
        {
            if (symbol is Argument a) command.Arguments.Add(a);
            else command.Options.Add((Option)symbol);
        }
        command.SetAction(parse =>
        {
            if (SiteOption.Load(parse, stderr) is not { } site) return CommandLine.ExitInvalid;
            var who = parse.GetValue(host)!;
            return HostArgument.Resolve(site, who, SiteOption.PathOf(parse), stderr) is { } mac ? run(site, who, mac, parse) : CommandLine.ExitInvalid;
        });
        return command;
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
