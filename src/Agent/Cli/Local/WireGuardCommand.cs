using System.CommandLine;
using System.Globalization;
using System.Text;
using NetbootPi.Agent.Cli.Remote;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Os.Tools;
using NetbootPi.Agent.Render.WireGuard;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.WireGuard;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Cli.Local;

/// <summary>
/// <c>netbootpi wg peer add|remove|enable|disable NAME</c> and <c>netbootpi wg show</c>: the box's WireGuard peers,
/// kept in the peers file beside the site file (<c>wireguard.peers_file</c>), and what the kernel says of them.
/// A change is checked as the whole site before it stays, then the running agent is asked to read the site again.
/// </summary>
internal static class WireGuardCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("wg", "the box's WireGuard tunnel: add a peer in one step, see who is connected");
        var peer = new Command("peer", "add, remove, enable or disable a peer (written to wireguard.peers_file)");
        peer.Subcommands.Add(Add(stdout, stderr));
        peer.Subcommands.Add(Change("remove", "remove a peer from the peers file", stdout, stderr, (peers, i) => peers.RemoveAt(i), "removed"));
        peer.Subcommands.Add(Change("disable", "keep a peer but refuse its handshakes", stdout, stderr, (peers, i) => peers[i] = peers[i] with { Enabled = false }, "disabled"));
        peer.Subcommands.Add(Change("enable", "accept a disabled peer again", stdout, stderr, (peers, i) => peers[i] = peers[i] with { Enabled = true }, "enabled"));
        command.Subcommands.Add(peer);
        command.Subcommands.Add(Show(stdout, stderr));
        return command;
    }

    private static readonly Argument<string> PeerName = new("NAME") { Description = "the peer's name, like alice-laptop" };

    private static Command Add(TextWriter stdout, TextWriter stderr)
    {
        var publicKey = new Option<string?>("--public-key") { HelpName = "KEY", Description = "the peer made its own key pair: its public key (nothing secret is printed then)" };
        var address = new Option<string?>("--address") { HelpName = "ADDRESS", Description = "its tunnel address (default: the first free one in the tunnel subnet)" };
        var psk = new Option<bool>("--preshared-key") { Description = "also make a preshared key (a second, symmetric layer) in the state directory" };
        var noQr = new Option<bool>("--no-qr") { Description = "print the config only, without the QR code" };
        var command = new Command("add", "add a peer: prints its client config and a QR code of it; the peer's private key is not kept")
        {
            PeerName, publicKey, address, psk, noQr,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var sitePath = SiteOption.PathOf(parse);
            if (Tunnel(parse, stderr) is not var (site, wg)) return CommandLine.ExitInvalid;
            var name = parse.GetValue(PeerName)!;
            if (wg.FindPeer(name) is { } existing)
                return Fail(stderr, $"a peer named {name} is already in {existing.Location} (remove it first, or choose another name)");
            if (wg.Endpoint is null)
                return Fail(stderr, $"{wg.Location}: wireguard has no endpoint (set wireguard.endpoint to the HOST:PORT peers dial, like vpn.example.org:{wg.ListenPort})");

            WireGuardSecret? privateKey = null;
            WireGuardKey key;
            if (parse.GetValue(publicKey) is { } given)
            {
                if (!WireGuardKey.TryParse(given, out key, out var problem)) return Fail(stderr, $"--public-key: not a WireGuard public key: {problem}");
            }
            else
            {
                privateKey = WireGuardSecret.NewPrivateKey();
                key = privateKey.PublicKey();
            }
            Ipv4Address tunnelAddress;
            if (parse.GetValue(address) is { } a)
            {
                if (!Ipv4Address.TryParse(a, out tunnelAddress)) return Fail(stderr, $"--address: '{a}' is not an IPv4 address");
            }
            else if (FreeAddress(wg) is { } free) tunnelAddress = free;
            else return Fail(stderr, $"the tunnel subnet {wg.Subnet} has no free address left (make wireguard.address's prefix shorter)");

            var files = AtomicFiles.Local;
            var box = WireGuardKeyFile.LoadOrCreate(WireGuardKeyFile.PathFor(site.Server.StateDirectory, wg.Interface), files);
            WireGuardSecret? presharedKey = null;
            string? pskFile = null;
            if (parse.GetValue(psk))
            {
                presharedKey = WireGuardSecret.NewPresharedKey();
                pskFile = Path.Combine(site.Server.StateDirectory, "wireguard", $"{name}.psk");
            }
            var added = new WireGuardPeer(name, key, tunnelAddress, [], pskFile, null, true, new SourceLocation(wg.PeersFile, 0, 0), wg.PeersFile);
            var peers = PeersInFile(wg);
            peers.Add(added);
            // Beside the box's key, readable by networkd as that is (LoadOrCreate made the folder above).
            if (presharedKey is not null) WireGuardKeyFile.Write(pskFile!, presharedKey, files);
            if (!Replace(sitePath, site, wg, peers, files, stderr))
            {
                if (pskFile is not null) files.Delete(pskFile);
                return CommandLine.ExitInvalid;
            }
            var reloaded = SiteFile.Load(sitePath).Inventory!;
            var config = ClientConfig.Render(reloaded, reloaded.WireGuard!.FindPeer(name)!, box.PublicKey(), privateKey, presharedKey);
            stdout.Write(config);
            if (!parse.GetValue(noQr) && privateKey is not null)
            {
                stdout.WriteLine();
                stdout.Write(QrText.Render(config));
            }
            stderr.WriteLine($"netbootpi: added peer {name} ({tunnelAddress}) to {wg.PeersFile}{(privateKey is null ? "" : "; its private key is in the config above only: the box did not keep it")}");
            await ReloadAgentAsync(parse, stderr, cancellation).ConfigureAwait(false);
            return CommandLine.ExitOk;
        });
        return command;
    }

    private static Command Change(string verb, string description, TextWriter stdout, TextWriter stderr, Action<List<WireGuardPeer>, int> change, string done)
    {
        var command = new Command(verb, description) { PeerName };
        command.SetAction(async (parse, cancellation) =>
        {
            var sitePath = SiteOption.PathOf(parse);
            if (Tunnel(parse, stderr) is not var (site, wg)) return CommandLine.ExitInvalid;
            var name = parse.GetValue(PeerName)!;
            if (wg.FindPeer(name) is not { } peer)
                return Fail(stderr, $"no peer named {name} (peers: {(wg.Peers.Length == 0 ? "none" : string.Join(", ", wg.Peers.Select(p => p.Name)))})");
            if (peer.File != wg.PeersFile)
                return Fail(stderr, $"peer {name} is written in the site file at {peer.Location}: change it there (this command changes {wg.PeersFile} only)");
            var peers = PeersInFile(wg);
            change(peers, peers.FindIndex(p => p.Name == name));
            var files = AtomicFiles.Local;
            if (!Replace(sitePath, site, wg, peers, files, stderr)) return CommandLine.ExitInvalid;
            if (verb == "remove" && peer.PresharedKeyFile is { } psk && psk.StartsWith(Path.Combine(site.Server.StateDirectory, "wireguard") + "/", StringComparison.Ordinal))
                files.Delete(psk);
            stdout.WriteLine($"{done} peer {name} in {wg.PeersFile}");
            await ReloadAgentAsync(parse, stderr, cancellation).ConfigureAwait(false);
            return CommandLine.ExitOk;
        });
        return command;
    }

    private static Command Show(TextWriter stdout, TextWriter stderr)
    {
        var json = new Option<bool>("--json") { Description = "one JSON object per peer, for scripts" };
        var command = new Command("show", "per peer: its address, where it was last heard from, its latest handshake and bytes in and out (from the kernel)") { json };
        command.SetAction(async (parse, cancellation) =>
        {
            if (Tunnel(parse, stderr) is not var (_, wg)) return CommandLine.ExitInvalid;
            var result = await new ToolRunner(TimeProvider.System).RunAsync(new ToolCall("wg", "show", wg.Interface, "dump"), cancellation).ConfigureAwait(false);
            if (!result.Succeeded)
                return Fail(stderr, $"wg show {wg.Interface} exited with {result.ExitCode}: {result.Errors.Trim()} (is the agent running with --manage-network, and the tunnel up? ip link show {wg.Interface})");
            var status = WgPeerStatus.ParseDump(result.Output).ToDictionary(s => s.PublicKey);
            var now = DateTimeOffset.UtcNow;
            if (!parse.GetValue(json))
                stdout.WriteLine($"{"PEER",-20} {"ADDRESS",-15} {"STATE",-9} {"ENDPOINT",-22} {"HANDSHAKE",-12} {"RECEIVED",12} {"SENT",12}");
            foreach (var p in wg.Peers)
            {
                var s = status.GetValueOrDefault(p.PublicKey);
                var state = !p.Enabled ? "disabled" : s is null ? "missing" : s.LatestHandshake is null ? "never" : now - s.LatestHandshake < TimeSpan.FromSeconds(180) ? "up" : "idle";
                if (parse.GetValue(json))
                {
                    var line = new StringBuilder();
                    line.Append(CultureInfo.InvariantCulture, $"{{\"peer\":\"{p.Name}\",\"address\":\"{p.Address}\",\"public_key\":\"{p.PublicKey}\",\"state\":\"{state}\",");
                    line.Append(CultureInfo.InvariantCulture, $"\"endpoint\":{(s?.Endpoint is { } e ? $"\"{e}\"" : "null")},\"latest_handshake\":{(s?.LatestHandshake is { } h ? $"\"{h:O}\"" : "null")},");
                    line.Append(CultureInfo.InvariantCulture, $"\"received_bytes\":{s?.ReceivedBytes ?? 0},\"sent_bytes\":{s?.SentBytes ?? 0}}}");
                    stdout.WriteLine(line.ToString());
                }
                else
                {
                    var ago = s?.LatestHandshake is { } h ? Ago(now - h) : "-";
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{p.Name,-20} {p.Address,-15} {state,-9} {s?.Endpoint ?? "-",-22} {ago,-12} {s?.ReceivedBytes ?? 0,12} {s?.SentBytes ?? 0,12}"));
                }
            }
            return CommandLine.ExitOk;
        });
        return command;
    }

    private static string Ago(TimeSpan t) => t.TotalSeconds < 120 ? $"{(int)t.TotalSeconds}s ago" : t.TotalMinutes < 120 ? $"{(int)t.TotalMinutes}m ago" : $"{(int)t.TotalHours}h ago";

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine($"netbootpi: {message}");
        return CommandLine.ExitInvalid;
    }

    private static (SiteInventory, WireGuardSettings)? Tunnel(ParseResult parse, TextWriter stderr)
    {
        if (SiteOption.Load(parse, stderr) is not { } site) return null;
        if (site.WireGuard is { } wg) return (site, wg);
        stderr.WriteLine($"netbootpi: {SiteOption.PathOf(parse)} has no wireguard section (docs/wireguard.md shows one)");
        return null;
    }

    private static List<WireGuardPeer> PeersInFile(WireGuardSettings wg) => [.. wg.Peers.Where(p => p.File == wg.PeersFile)];

    /// <summary>The first address of the tunnel subnet that is neither the box's nor a peer's.</summary>
    internal static Ipv4Address? FreeAddress(WireGuardSettings wg)
    {
        var used = wg.Peers.Select(p => p.Address).Append(wg.Address.Address).ToHashSet();
        var reserved = wg.Subnet.HasReservedEnds;
        for (var v = (long)wg.Subnet.First.Value + (reserved ? 1 : 0); v <= (long)wg.Subnet.Last.Value - (reserved ? 1 : 0); v++)
        {
            var candidate = new Ipv4Address((uint)v);
            if (!used.Contains(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>
    /// Writes the peers file with <paramref name="peers"/> and reads the whole site again: a site that no longer
    /// reads (a clash with a peer written by hand meanwhile) gets the old file back and its errors printed.
    /// </summary>
    private static bool Replace(string sitePath, SiteInventory site, WireGuardSettings wg, List<WireGuardPeer> peers, IAtomicFiles files, TextWriter stderr)
    {
        var before = File.Exists(wg.PeersFile) ? File.ReadAllBytes(wg.PeersFile) : null;
        files.Write(wg.PeersFile, Encoding.UTF8.GetBytes(PeersFileText.Render(site.Site.Name, peers)),
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var check = SiteFile.Load(sitePath);
        if (check.IsValid) return true;
        if (before is null) files.Delete(wg.PeersFile);
        else files.Write(wg.PeersFile, before);
        foreach (var e in check.Errors) stderr.WriteLine(e);
        stderr.WriteLine($"netbootpi: the change would make the site invalid; {wg.PeersFile} is as it was");
        return false;
    }

    /// <summary>Asks the running agent to read the site again; says so when none is running here.</summary>
    private static async Task ReloadAgentAsync(ParseResult parse, TextWriter stderr, CancellationToken cancellation)
    {
        var socket = parse.GetValue(SocketOption.Socket) ?? ControlSocketPath.Default;
        if (!File.Exists(socket))
        {
            stderr.WriteLine($"netbootpi: no agent runs here ({socket} is missing): it takes the change when it starts");
            return;
        }
        try
        {
            using var client = new ControlClient(socket);
            var (_, _, r) = await client.SendAsync(HttpMethod.Post, SiteEndpoints.ReloadPath, ControlJson.Default.ReloadReply, cancellation,
                alsoParse: Microsoft.AspNetCore.Http.StatusCodes.Status422UnprocessableEntity).ConfigureAwait(false);
            stderr.WriteLine(r.Reloaded
                ? $"netbootpi: the agent read the site again; it brings {SiteOption.PathOf(parse)}'s tunnel up to date without touching other peers' sessions"
                : $"netbootpi: the agent refused the site ({r.Errors.Length} errors; netbootpi reload shows them)");
        }
        catch (ControlClientException e)
        {
            stderr.WriteLine($"netbootpi: the change is written, but asking the agent to reload failed: {e.Message} (run netbootpi reload)");
        }
    }
}
