using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Apply.WireGuard;
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
/// Through the running agent when one listens (the socket, or <c>--url</c>): it changes its own peers file, reads
/// its site again, and runs <c>wg show</c> itself (which needs CAP_NET_ADMIN that an operator's shell lacks). Without
/// one, or with <c>--files</c>, the same change is made to the files here (<see cref="PeerEditor"/>). Either way the
/// whole site is checked with the change before it stays, and a new peer's keys are made here, never by the box.
/// </summary>
internal static class WireGuardCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("wg", "the box's WireGuard tunnel: add a peer in one step, see who is connected");
        var peer = new Command("peer", "add, remove, enable or disable a peer (written to wireguard.peers_file)");
        peer.Subcommands.Add(Add(stdout, stderr));
        peer.Subcommands.Add(Change("remove", "remove a peer from the peers file", stdout, stderr, WireGuardEndpoints.RemovePath, (e, name) => e.Remove(name)));
        peer.Subcommands.Add(Change("disable", "keep a peer but refuse its handshakes", stdout, stderr, WireGuardEndpoints.DisablePath, (e, name) => e.SetEnabled(name, false)));
        peer.Subcommands.Add(Change("enable", "accept a disabled peer again", stdout, stderr, WireGuardEndpoints.EnablePath, (e, name) => e.SetEnabled(name, true)));
        command.Subcommands.Add(peer);
        command.Subcommands.Add(Show(stdout, stderr));
        return command;
    }

    private static readonly Argument<string> PeerName = new("NAME") { Description = "the peer's name, like alice-laptop" };

    private static readonly Option<bool> Files = new("--files")
    {
        Description = "change the peers file (or ask the kernel) here, without the agent, even when one runs",
    };

    private static Command Add(TextWriter stdout, TextWriter stderr)
    {
        var publicKey = new Option<string?>("--public-key") { HelpName = "KEY", Description = "the peer made its own key pair: its public key (nothing secret is printed then)" };
        var address = new Option<string?>("--address") { HelpName = "ADDRESS", Description = "its tunnel address (default: the first free one in the tunnel subnet)" };
        var psk = new Option<bool>("--preshared-key") { Description = "also make a preshared key (a second, symmetric layer), kept in the box's state directory" };
        var noQr = new Option<bool>("--no-qr") { Description = "print the config only, without the QR code" };
        var command = new Command("add", "add a peer: prints its client config and a QR code of it; the peer's private key is not kept")
        {
            PeerName, publicKey, address, psk, noQr, Files,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var name = parse.GetValue(PeerName)!;
            // The keys are made here, whichever box gets the peer: the private half never leaves this terminal.
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
            Ipv4Address? tunnelAddress = null;
            if (parse.GetValue(address) is { } a)
            {
                if (!Ipv4Address.TryParse(a, out var parsed)) return Fail(stderr, $"--address: '{a}' is not an IPv4 address");
                tunnelAddress = parsed;
            }
            var presharedKey = parse.GetValue(psk) ? WireGuardSecret.NewPresharedKey() : null;

            string message;
            ClientConfigParts parts;
            var throughAgent = ThroughAgent(parse);
            if (throughAgent)
            {
                using var client = SocketOption.Client(parse);
                var request = new WireGuardPeerAddRequest(name, key.ToString(), tunnelAddress?.ToString(), presharedKey?.RevealBase64());
                var (status, _, reply) = await client.SendAsync(HttpMethod.Post, WireGuardEndpoints.PeersPath + ConfigQuery(parse), request,
                    WireGuardJson.Default.WireGuardPeerAddRequest, WireGuardJson.Default.WireGuardChangeReply, cancellation, StatusCodes.Status422UnprocessableEntity).ConfigureAwait(false);
                if (status != StatusCodes.Status200OK) return Refused(stderr, reply);
                (message, parts) = (reply.Message, reply.Client!);
            }
            else
            {
                var result = new PeerEditor(SiteOption.PathOf(parse), AtomicFiles.Local).Add(name, key, tunnelAddress, presharedKey);
                if (!result.Done) return Refused(stderr, result);
                var site = result.Site!;
                var box = WireGuardKeyFile.Load(WireGuardKeyFile.PathFor(site.Server.StateDirectory, site.WireGuard!.Interface))!;
                (message, parts) = (result.Message, ClientConfig.Parts(site, result.Peer!, box.PublicKey()));
            }
            var config = ClientConfig.Render(parts, privateKey, presharedKey);
            stdout.Write(config);
            if (!parse.GetValue(noQr) && privateKey is not null)
            {
                stdout.WriteLine();
                stdout.Write(QrText.Render(config));
            }
            stderr.WriteLine($"netbootpi: {message}{(privateKey is null ? "" : "; its private key is in the config above only: the box did not keep it")}");
            if (!throughAgent) await ReloadAgentAsync(parse, stderr, cancellation).ConfigureAwait(false);
            return CommandLine.ExitOk;
        });
        return command;
    }

    private static Command Change(string verb, string description, TextWriter stdout, TextWriter stderr, string path, Func<PeerEditor, string, PeerEditResult> change)
    {
        var command = new Command(verb, description) { PeerName, Files };
        command.SetAction(async (parse, cancellation) =>
        {
            var name = parse.GetValue(PeerName)!;
            if (ThroughAgent(parse))
            {
                using var client = SocketOption.Client(parse);
                var (status, _, reply) = await client.SendAsync(HttpMethod.Post, path + ConfigQuery(parse), new WireGuardPeerNameRequest(name),
                    WireGuardJson.Default.WireGuardPeerNameRequest, WireGuardJson.Default.WireGuardChangeReply, cancellation, StatusCodes.Status422UnprocessableEntity).ConfigureAwait(false);
                if (status != StatusCodes.Status200OK) return Refused(stderr, reply);
                stdout.WriteLine(reply.Message);
                return CommandLine.ExitOk;
            }
            var result = change(new PeerEditor(SiteOption.PathOf(parse), AtomicFiles.Local), name);
            if (!result.Done) return Refused(stderr, result);
            stdout.WriteLine(result.Message);
            await ReloadAgentAsync(parse, stderr, cancellation).ConfigureAwait(false);
            return CommandLine.ExitOk;
        });
        return command;
    }

    private static Command Show(TextWriter stdout, TextWriter stderr)
    {
        var json = new Option<bool>("--json") { Description = "one JSON object per peer, for scripts" };
        var command = new Command("show", "per peer: its address, where it was last heard from, its latest handshake and bytes in and out (from the kernel)") { json, Files };
        command.SetAction(async (parse, cancellation) =>
        {
            WireGuardPeerReply[] peers;
            if (ThroughAgent(parse))
            {
                using var client = SocketOption.Client(parse);
                var (_, _, reply) = await client.SendAsync(HttpMethod.Get, WireGuardEndpoints.PeersPath, WireGuardJson.Default.WireGuardReply, cancellation).ConfigureAwait(false);
                if (reply.KernelError is { } error) return Fail(stderr, error);
                peers = reply.Peers;
            }
            else
            {
                if (SiteOption.Load(parse, stderr) is not { } site) return CommandLine.ExitInvalid;
                if (site.WireGuard is not { } wg) return Fail(stderr, $"{SiteOption.PathOf(parse)} has no wireguard section (docs/wireguard.md shows one)");
                var result = await new ToolRunner(TimeProvider.System).RunAsync(new ToolCall("wg", "show", wg.Interface, "dump"), cancellation).ConfigureAwait(false);
                if (!result.Succeeded)
                    return Fail(stderr, $"wg show {wg.Interface} exited with {result.ExitCode}: {result.Errors.Trim()} (is the agent running with --manage-network, and the tunnel up? ip link show {wg.Interface})");
                var status = WgPeerStatus.ParseDump(result.Output).ToDictionary(s => s.PublicKey);
                peers = [.. wg.Peers.Select(p => WireGuardEndpoints.Peer(p, status.GetValueOrDefault(p.PublicKey), DateTimeOffset.UtcNow))];
            }
            var now = DateTimeOffset.UtcNow;
            if (!parse.GetValue(json))
                stdout.WriteLine($"{"PEER",-20} {"ADDRESS",-15} {"STATE",-9} {"ENDPOINT",-22} {"HANDSHAKE",-12} {"RECEIVED",12} {"SENT",12}");
            foreach (var p in peers)
            {
                if (parse.GetValue(json))
                {
                    var line = new StringBuilder();
                    line.Append(CultureInfo.InvariantCulture, $"{{\"peer\":\"{p.Name}\",\"address\":\"{p.Address}\",\"public_key\":\"{p.PublicKey}\",\"state\":\"{p.State}\",");
                    line.Append(CultureInfo.InvariantCulture, $"\"endpoint\":{(p.Endpoint is { } e ? $"\"{e}\"" : "null")},\"latest_handshake\":{(p.LatestHandshake is { } h ? $"\"{h:O}\"" : "null")},");
                    line.Append(CultureInfo.InvariantCulture, $"\"received_bytes\":{p.ReceivedBytes},\"sent_bytes\":{p.SentBytes}}}");
                    stdout.WriteLine(line.ToString());
                }
                else
                {
                    var ago = p.LatestHandshake is { } h ? Ago(now - h) : "-";
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{p.Name,-20} {p.Address,-15} {p.State,-9} {p.Endpoint ?? "-",-22} {ago,-12} {p.ReceivedBytes,12} {p.SentBytes,12}"));
                }
            }
            return CommandLine.ExitOk;
        });
        return command;
    }

    /// <summary>Through the running agent (the socket, or <c>--url</c>) unless <c>--files</c> says here, or no agent listens.</summary>
    private static bool ThroughAgent(ParseResult parse) => !parse.GetValue(Files) && SocketOption.AgentReachable(parse);

    /// <summary><c>?config=FILE</c> when <c>--config</c> was given: the agent refuses to change a site it does not run.</summary>
    private static string ConfigQuery(ParseResult parse) =>
        parse.GetResult(SiteOption.Config) is { Implicit: false } && !SocketOption.IsRemote(parse)
            ? $"?config={Uri.EscapeDataString(Path.GetFullPath(SiteOption.PathOf(parse)))}"
            : "";

    private static int Refused(TextWriter stderr, PeerEditResult result) => Refused(stderr, result.Message, result.Errors.Select(e => e.ToString()));

    private static int Refused(TextWriter stderr, WireGuardChangeReply reply) => Refused(stderr, reply.Message, reply.Errors.Select(e => e.Text));

    private static int Refused(TextWriter stderr, string message, IEnumerable<string> errors)
    {
        foreach (var e in errors) stderr.WriteLine(e);
        return Fail(stderr, message);
    }

    private static string Ago(TimeSpan t) => t.TotalSeconds < 120 ? $"{(int)t.TotalSeconds}s ago" : t.TotalMinutes < 120 ? $"{(int)t.TotalMinutes}m ago" : $"{(int)t.TotalHours}h ago";

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine($"netbootpi: {message}");
        return CommandLine.ExitInvalid;
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
