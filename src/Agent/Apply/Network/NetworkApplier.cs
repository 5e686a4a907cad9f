using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Os.Network;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Os.Tools;
using NetbootPi.Agent.Render.Network;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.WireGuard;

namespace NetbootPi.Agent.Apply.Network;

/// <summary>
/// Brings the box's own network to a <see cref="NetworkWanted"/>: our networkd files (then networkd's Reload over
/// D-Bus, after deleting the VLAN links whose <c>.netdev</c> went or changed, which networkd itself never deletes),
/// or our netctl profiles (their <c>netctl@</c> units stopped before their old files go, started after the new
/// ones are in), and our one nftables table (checked with <c>nft -c</c> before anything changes, then loaded with
/// <c>nft -f</c> as one transaction). Files and tables of others are never read or changed.
/// </summary>
/// <remarks>With backend none the plan is empty, whatever is there: the network is left alone.</remarks>
public sealed class NetworkApplier(NetworkApplierOptions options, IAtomicFiles files, IToolRunner tools, ISystemdManager? systemd, INetworkd? networkd)
    : IApplier<NetworkWanted>
{
    private OwnedFiles NetworkdOwned => new(options.NetworkdDirectory, NetworkdFiles.Prefix);
    private OwnedFiles NetctlOwned => new(options.NetctlDirectory, NetctlProfiles.Prefix);

    public async Task<ApplyPlan> PlanAsync(NetworkWanted wanted, CancellationToken cancellationToken = default)
    {
        if (wanted.Backend == NetworkBackend.None) return ApplyPlan.Empty;
        var changes = new List<FileChange>();
        var before = new List<PlanStep>();
        var after = new List<PlanStep>();
        var notes = new List<string>();

        // networkd: only our files (a name with the prefix and networkd's extensions) are compared and changed.
        var networkdNow = NetworkdOwned.Read().Where(kv => NetworkdFiles.IsOurs(kv.Key)).ToDictionary();
        var networkdChanges = Diff(options.NetworkdDirectory, networkdNow, wanted.Networkd);
        changes.AddRange(networkdChanges);
        foreach (var link in GoneVlans(networkdNow, wanted.Networkd))
            if (await LinkExistsAsync(link, cancellationToken).ConfigureAwait(false)) after.Add(new PlanStep(PlanAction.DeleteLink, link));
        if (networkdChanges.Count > 0) after.Add(new PlanStep(PlanAction.ReloadNetworkd, "systemd-networkd"));
        foreach (var tunnel in wanted.Networkd.Values.Select(WireGuardTunnel.Parse).OfType<WireGuardTunnel>())
            await PlanTunnelAsync(tunnel, before, after, cancellationToken).ConfigureAwait(false);

        // netctl: a profile that goes or changes is stopped while its old file is there (netctl reads it to stop);
        // a new or changed one is started once its file is in; one whose unit is not running is started again.
        var netctlNow = NetctlOwned.Read();
        changes.AddRange(Diff(options.NetctlDirectory, netctlNow, wanted.Netctl));
        // A running tunnel whose peers alone change is not restarted: wg set changes it below.
        var keptTunnels = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, content) in netctlNow)
        {
            if (wanted.Netctl.TryGetValue(name, out var next) && next != content && TunnelChanges.OnlyTunnelSettingsDiffer(content, next)
                && await ActiveAsync(Unit(name), cancellationToken).ConfigureAwait(false))
                keptTunnels.Add(name);
        }
        foreach (var (name, content) in netctlNow)
            if ((!wanted.Netctl.TryGetValue(name, out var next) || next != content) && !keptTunnels.Contains(name)) before.Add(new PlanStep(PlanAction.StopUnit, Unit(name)));
        foreach (var (name, content) in wanted.Netctl)
        {
            if (keptTunnels.Contains(name)) continue;
            var changed = !netctlNow.TryGetValue(name, out var was) || was != content;
            if (changed || !await ActiveAsync(Unit(name), cancellationToken).ConfigureAwait(false))
                after.Add(new PlanStep(PlanAction.StartUnit, Unit(name)));
        }
        foreach (var tunnel in wanted.Netctl.Values.Select(WireGuardTunnel.Parse).OfType<WireGuardTunnel>())
            await PlanTunnelAsync(tunnel, before, after, cancellationToken).ConfigureAwait(false);

        // nftables: our one table, checked before anything changes and loaded after our files are in.
        var nftNow = File.Exists(options.NftablesFile) ? await File.ReadAllTextAsync(options.NftablesFile, cancellationToken).ConfigureAwait(false) : null;
        if (nftNow != wanted.Nftables) changes.Add(new FileChange(options.NftablesFile, nftNow, wanted.Nftables));
        var loaded = await TableLoadedAsync(cancellationToken).ConfigureAwait(false);
        if (wanted.Nftables is { } ruleset)
        {
            if (nftNow != ruleset || !loaded)
            {
                before.Insert(0, PlanStep.Run(new ToolCall(options.Nft, "-c", "-f", "-") { Input = ruleset }, beforeFiles: true));
                after.Add(PlanStep.Run(new ToolCall(options.Nft, "-f", options.NftablesFile)));
            }
            else notes.Add($"nftables: table {NftablesRuleset.Table} is loaded as {options.NftablesFile} says");
        }
        else if (loaded) after.Add(PlanStep.Run(new ToolCall(options.Nft, "delete", "table", "inet", "netbootpi")));

        return new ApplyPlan(changes, [.. before.Select(s => s with { BeforeFiles = true }), .. after], notes);
    }

    /// <summary>
    /// A WireGuard tunnel: its private key made first if there is none (networkd refuses a netdev whose key file is
    /// missing), and a running tunnel brought to the file with <c>wg set</c>: networkd never changes an existing
    /// netdev, and deleting the link to have it made again would cut every peer's session.
    /// </summary>
    private async Task PlanTunnelAsync(WireGuardTunnel tunnel, List<PlanStep> before, List<PlanStep> after, CancellationToken cancellationToken)
    {
        var exists = await LinkExistsAsync(tunnel.Interface, cancellationToken).ConfigureAwait(false);
        // networkd would create the tunnel and fail to bind its port, saying so in its own journal only.
        if (!exists) before.Add(new PlanStep(PlanAction.CheckUdpPort, tunnel.ListenPort.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (!File.Exists(tunnel.PrivateKeyFile)) before.Add(new PlanStep(PlanAction.CreateKey, tunnel.PrivateKeyFile));
        if (!exists) return;
        // Only public facts are read back (never `wg show dump`, whose first line is the private key).
        var port = await tools.RunAsync(new ToolCall(options.Wg, "show", tunnel.Interface, "listen-port"), cancellationToken).ConfigureAwait(false);
        var allowed = await tools.RunAsync(new ToolCall(options.Wg, "show", tunnel.Interface, "allowed-ips"), cancellationToken).ConfigureAwait(false);
        var running = port.Succeeded && int.TryParse(port.Output.Trim(), out var p) ? p : -1;
        var args = tunnel.SyncArguments(running, allowed.Succeeded ? WireGuardTunnel.ParseAllowedIps(allowed.Output) : []);
        if (args is not null) after.Add(PlanStep.Run(new ToolCall(options.Wg, [.. args])));
    }

    public async Task ExecuteAsync(ApplyPlan plan, CancellationToken cancellationToken = default)
    {
        foreach (var step in plan.Steps.Where(s => s.BeforeFiles)) await RunAsync(step, cancellationToken).ConfigureAwait(false);
        var writer = new FileSetWriter(files);
        try
        {
            writer.Apply(plan.Files);
        }
        catch (FileSetException e)
        {
            throw new ApplyException($"writing the network's files failed: {e.Message}", e);
        }
        try
        {
            foreach (var step in plan.Steps.Where(s => !s.BeforeFiles)) await RunAsync(step, cancellationToken).ConfigureAwait(false);
        }
        catch (ApplyException e)
        {
            // The files go back as they were; the caller applies what was there before to put the rest back too.
            try
            {
                writer.Apply([.. plan.Files.Select(f => f.Inverse).Reverse()]);
            }
            catch (FileSetException undo)
            {
                throw new ApplyException($"{e.Message}; and putting the old files back failed too: {undo.Message}", e);
            }
            throw;
        }
    }

    private async Task RunAsync(PlanStep step, CancellationToken cancellationToken)
    {
        try
        {
            switch (step.Action)
            {
                case PlanAction.RunTool:
                    (await tools.RunAsync(step.Tool!, cancellationToken).ConfigureAwait(false)).ThrowIfFailed();
                    break;
                case PlanAction.DeleteLink:
                    var deleted = await tools.RunAsync(new ToolCall(options.Ip, "link", "delete", "dev", step.Target), cancellationToken).ConfigureAwait(false);
                    // Gone meanwhile (netctl or someone else deleted it) is what the step wanted.
                    if (!deleted.Succeeded && await LinkExistsAsync(step.Target, cancellationToken).ConfigureAwait(false)) deleted.ThrowIfFailed();
                    break;
                case PlanAction.ReloadNetworkd:
                    await Required(networkd, "systemd-networkd").ReloadAsync(cancellationToken).ConfigureAwait(false);
                    break;
                case PlanAction.StartUnit:
                    await Required(systemd, "systemd").StartUnitAsync(step.Target, cancellationToken).ConfigureAwait(false);
                    break;
                case PlanAction.StopUnit:
                    await Required(systemd, "systemd").StopUnitAsync(step.Target, cancellationToken).ConfigureAwait(false);
                    break;
                case PlanAction.CreateKey:
                    WireGuardKeyFile.LoadOrCreate(step.Target, files);
                    break;
                case PlanAction.CheckUdpPort:
                    if (UdpPorts.InUse(int.Parse(step.Target, System.Globalization.CultureInfo.InvariantCulture), options.ProcNet))
                        throw new ApplyException($"UDP port {step.Target} (wireguard.listen_port) is in use by another program: the tunnel could not take it (ss -ulpn 'sport = :{step.Target}' shows which; choose another listen_port or stop it)");
                    break;
            }
        }
        catch (Exception e) when (e is ToolException or SystemdException or NetworkdException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new ApplyException($"{step} failed: {e.Message}", e);
        }
    }

    private static T Required<T>(T? seam, string what) where T : class =>
        seam ?? throw new ApplyException($"the plan needs {what}, which this agent was started without");

    private static List<FileChange> Diff(string directory, IReadOnlyDictionary<string, string> now, IReadOnlyDictionary<string, string> wanted)
    {
        var changes = new List<FileChange>();
        foreach (var (name, content) in wanted)
            if (!now.TryGetValue(name, out var was) || was != content) changes.Add(new FileChange(Path.Combine(directory, name), now.GetValueOrDefault(name), content));
        foreach (var (name, content) in now.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            if (!wanted.ContainsKey(name)) changes.Add(new FileChange(Path.Combine(directory, name), content, null));
        return changes;
    }

    /// <summary>
    /// The VLAN links of our <c>.netdev</c> files that go or change: networkd (252) never deletes a netdev, and
    /// keeps an existing one as it is when its file changes (a new VLAN id would not reach the kernel). A WireGuard
    /// tunnel whose file changes is kept (<c>wg set</c> changes it in place); one whose file goes is deleted.
    /// </summary>
    internal static IEnumerable<string> GoneVlans(IReadOnlyDictionary<string, string> now, IReadOnlyDictionary<string, string> wanted)
    {
        foreach (var (name, content) in now.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!name.EndsWith(".netdev", StringComparison.Ordinal)) continue;
            if (wanted.TryGetValue(name, out var next) && (next == content || WireGuardTunnel.Parse(next) is not null)) continue;
            yield return name[NetworkdFiles.Prefix.Length..^".netdev".Length];
        }
    }

    private static string Unit(string profile) => new NetctlProfile(profile, "").Unit;

    private async Task<bool> LinkExistsAsync(string link, CancellationToken cancellationToken) =>
        (await tools.RunAsync(new ToolCall(options.Ip, "link", "show", "dev", link), cancellationToken).ConfigureAwait(false)).Succeeded;

    private async Task<bool> TableLoadedAsync(CancellationToken cancellationToken)
    {
        var listed = await tools.RunAsync(new ToolCall(options.Nft, "list", "table", "inet", "netbootpi"), cancellationToken).ConfigureAwait(false);
        return listed.Succeeded;
    }

    private async Task<bool> ActiveAsync(string unit, CancellationToken cancellationToken)
    {
        if (systemd is null) return false;
        try
        {
            return (await systemd.GetUnitStateAsync(unit, cancellationToken).ConfigureAwait(false)).ActiveState == "active";
        }
        catch (SystemdException)
        {
            return false;
        }
    }
}
