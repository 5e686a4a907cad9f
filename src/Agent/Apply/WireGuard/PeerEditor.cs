using System.Text;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Render.WireGuard;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.WireGuard;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Apply.WireGuard;

/// <summary>
/// Changes to the box's WireGuard peers in the peers file beside the site file (<c>wireguard.peers_file</c>): add,
/// remove, enable, disable. Every change is checked as the whole site before it stays: a site that no longer reads
/// (a clash with a peer written by hand meanwhile) gets the old file back and the errors. The same code serves
/// <c>netbootpi wg peer</c> on the box's files and the agent's <c>/api/v1/wireguard/peers</c>; callers serialise
/// their own changes (the agent takes a lock), and reading the site again afterwards is theirs too.
/// </summary>
public sealed class PeerEditor(string sitePath, IAtomicFiles files)
{
    /// <summary>Adds peer <paramref name="name"/> with <paramref name="publicKey"/> at <paramref name="address"/>
    /// (null: the first free one of the tunnel subnet), with <paramref name="presharedKey"/> written beside the box's
    /// key when given. On success the result has the site read again and the peer as it reads there.</summary>
    public PeerEditResult Add(string name, WireGuardKey publicKey, Ipv4Address? address, WireGuardSecret? presharedKey)
    {
        if (Tunnel(out var site, out var wg) is { } refusal) return refusal;
        if (!SiteReader.IsProfileName(name))
            return PeerEditResult.Refused(PeerEditProblem.BadRequest, $"'{name}' is not a valid peer name (expected lowercase letters, digits, '.', '-' or '_', like alice-laptop)");
        if (wg.FindPeer(name) is { } existing)
            return PeerEditResult.Refused(PeerEditProblem.Conflict, $"a peer named {name} is already in {existing.Location} (remove it first, or choose another name)");
        if (wg.Endpoint is null)
            return PeerEditResult.Refused(PeerEditProblem.Conflict, $"{wg.Location}: wireguard has no endpoint (set wireguard.endpoint to the HOST:PORT peers dial, like vpn.example.org:{wg.ListenPort})");
        if (wg.Peers.FirstOrDefault(p => p.PublicKey == publicKey) is { } sameKey)
            return PeerEditResult.Refused(PeerEditProblem.Conflict, $"peer {sameKey.Name} ({sameKey.Location}) already has that public key: every peer needs its own key pair");
        Ipv4Address tunnelAddress;
        if (address is { } given)
        {
            if (!wg.Subnet.Contains(given))
                return PeerEditResult.Refused(PeerEditProblem.BadRequest, $"{given} is not in the tunnel subnet {wg.Subnet} (wireguard.address, {wg.Location})");
            tunnelAddress = given;
        }
        else if (FreeAddress(wg) is { } free) tunnelAddress = free;
        else return PeerEditResult.Refused(PeerEditProblem.Conflict, $"the tunnel subnet {wg.Subnet} has no free address left (make wireguard.address's prefix shorter)");

        // The box's own key first: the client config names its public half.
        WireGuardKeyFile.LoadOrCreate(WireGuardKeyFile.PathFor(site.Server.StateDirectory, wg.Interface), files);
        string? pskFile = null;
        if (presharedKey is not null)
        {
            // Beside the box's key, readable by networkd as that is (LoadOrCreate made the folder above).
            pskFile = Path.Combine(site.Server.StateDirectory, "wireguard", $"{name}.psk");
            WireGuardKeyFile.Write(pskFile, presharedKey, files);
        }
        var peers = PeersInFile(wg);
        peers.Add(new WireGuardPeer(name, publicKey, tunnelAddress, [], pskFile, null, true, new SourceLocation(wg.PeersFile, 0, 0), wg.PeersFile));
        var result = Replace(site, wg, peers, $"added peer {name} ({tunnelAddress}) to {wg.PeersFile}");
        if (!result.Done && pskFile is not null) files.Delete(pskFile);
        return result with { Peer = result.Site?.WireGuard?.FindPeer(name) };
    }

    /// <summary>Removes peer <paramref name="name"/> from the peers file, and its preshared key when the box made it.</summary>
    public PeerEditResult Remove(string name) => Change(name, "removed", (peers, i) => peers.RemoveAt(i));

    /// <summary>Keeps peer <paramref name="name"/> but refuses its handshakes (<paramref name="enabled"/> false), or accepts them again.</summary>
    public PeerEditResult SetEnabled(string name, bool enabled) =>
        Change(name, enabled ? "enabled" : "disabled", (peers, i) => peers[i] = peers[i] with { Enabled = enabled });

    private PeerEditResult Change(string name, string done, Action<List<WireGuardPeer>, int> change)
    {
        if (Tunnel(out var site, out var wg) is { } refusal) return refusal;
        if (wg.FindPeer(name) is not { } peer)
            return PeerEditResult.Refused(PeerEditProblem.NotFound, $"no peer named {name} (peers: {(wg.Peers.Length == 0 ? "none" : string.Join(", ", wg.Peers.Select(p => p.Name)))})");
        if (peer.File != wg.PeersFile)
            return PeerEditResult.Refused(PeerEditProblem.Conflict, $"peer {name} is written in the site file at {peer.Location}: change it there (this changes {wg.PeersFile} only)");
        var peers = PeersInFile(wg);
        change(peers, peers.FindIndex(p => p.Name == name));
        var result = Replace(site, wg, peers, $"{done} peer {name} in {wg.PeersFile}");
        if (result.Done && done == "removed" && peer.PresharedKeyFile is { } psk
            && psk.StartsWith(Path.Combine(site.Server.StateDirectory, "wireguard") + "/", StringComparison.Ordinal))
            files.Delete(psk);
        return result with { Peer = result.Site?.WireGuard?.FindPeer(name) ?? peer };
    }

    /// <summary>Reads the site as it is now; null with its tunnel, or why there is nothing to change.</summary>
    private PeerEditResult? Tunnel(out SiteInventory site, out WireGuardSettings wg)
    {
        site = null!;
        wg = null!;
        var loaded = SiteFile.Load(sitePath);
        if (loaded.Inventory is null)
            return PeerEditResult.Invalid($"{sitePath} does not read now ({loaded.Errors.Count} errors): fix it first", loaded.Errors);
        site = loaded.Inventory;
        if (site.WireGuard is null)
            return PeerEditResult.Refused(PeerEditProblem.Conflict, $"{sitePath} has no wireguard section (docs/wireguard.md shows one)");
        wg = site.WireGuard;
        return null;
    }

    private static List<WireGuardPeer> PeersInFile(WireGuardSettings wg) => [.. wg.Peers.Where(p => p.File == wg.PeersFile)];

    /// <summary>The first address of the tunnel subnet that is neither the box's nor a peer's.</summary>
    public static Ipv4Address? FreeAddress(WireGuardSettings wg)
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

    /// <summary>Writes the peers file with <paramref name="peers"/> and reads the whole site again; a site that no longer reads gets the old file back.</summary>
    private PeerEditResult Replace(SiteInventory site, WireGuardSettings wg, List<WireGuardPeer> peers, string done)
    {
        var before = File.Exists(wg.PeersFile) ? File.ReadAllBytes(wg.PeersFile) : null;
        files.Write(wg.PeersFile, Encoding.UTF8.GetBytes(PeersFileText.Render(site.Site.Name, peers)),
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var check = SiteFile.Load(sitePath);
        if (check.Inventory is { } after) return new PeerEditResult(PeerEditProblem.None, done, [], after, null);
        if (before is null) files.Delete(wg.PeersFile);
        else files.Write(wg.PeersFile, before);
        return PeerEditResult.Invalid($"the change would make the site invalid; {wg.PeersFile} is as it was", check.Errors);
    }
}
