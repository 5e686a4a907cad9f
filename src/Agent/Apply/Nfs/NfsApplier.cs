using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Os.Tools;

namespace NetbootPi.Agent.Apply.Nfs;

/// <summary>
/// Brings kernel nfsd's exports to an <see cref="NfsWanted"/>: our one exports file (and our nfs.conf.d file, which
/// pins mountd's port for the firewall; a running mountd is restarted to take it), replaced atomically, then
/// <c>exportfs -ra</c> (which makes nfsd's table what /etc/exports and /etc/exports.d say: our lines added or changed,
/// lines no file has any more withdrawn, everyone else's as their files say), or <c>nfs-server.service</c> started
/// over D-Bus when the site exports something and nfsd is not running (the unit runs <c>exportfs -r</c> itself).
/// </summary>
/// <remarks>
/// Without a systemd manager (a box whose PID 1 is not systemd) nfsd is the administrator's to start; the plan
/// then only runs exportfs. Other exports files are never read or written.
/// </remarks>
public sealed class NfsApplier(NfsApplierOptions options, IAtomicFiles files, IToolRunner tools, ISystemdManager? systemd)
    : IApplier<NfsWanted>
{
    public async Task<ApplyPlan> PlanAsync(NfsWanted wanted, CancellationToken cancellationToken = default)
    {
        var exports = await ReadAsync(options.ExportsFile, cancellationToken).ConfigureAwait(false);
        var ports = await ReadAsync(options.PortsFile, cancellationToken).ConfigureAwait(false);
        var changes = new List<FileChange>();
        if (exports != wanted.Exports) changes.Add(new(options.ExportsFile, exports, wanted.Exports));
        if (ports != wanted.PortsConfig) changes.Add(new(options.PortsFile, ports, wanted.PortsConfig));
        var steps = new List<PlanStep>();
        var notes = new List<string>();
        var running = systemd is not null && await ActiveAsync(cancellationToken).ConfigureAwait(false);
        if (wanted.Exports is not null && systemd is not null && !running)
        {
            // Starting the server starts mountd with the new port, and its unit runs exportfs -r.
            steps.Add(new PlanStep(PlanAction.StartUnit, options.ServerUnit));
        }
        else
        {
            // mountd reads its port when it starts: a running one keeps the old (random) port until restarted. The
            // server is restarted, not nfs-mountd.service alone: systemd then restarts the server too (it Requires
            // mountd) in a job that ends after ours, and an exportfs run at once collided with the server's own
            // (its stop and start run exportfs) and failed (kernel lab). The server's restart restarts mountd
            // (BindsTo) and ends after it; the exportfs below runs once both are up.
            if (ports != wanted.PortsConfig && wanted.PortsConfig is not null && running)
                steps.Add(new PlanStep(PlanAction.RestartUnit, options.ServerUnit));
            if (exports != wanted.Exports) steps.Add(PlanStep.Run(Exportfs()));
        }
        if (changes.Count == 0 && wanted.Exports is not null)
            notes.Add($"nfs: {options.ExportsFile} and {options.PortsFile} are as the site wants them" + (systemd is null ? "" : $" and {options.ServerUnit} is active"));
        return new ApplyPlan(changes, steps, notes);
    }

    public async Task ExecuteAsync(ApplyPlan plan, CancellationToken cancellationToken = default)
    {
        var writer = new FileSetWriter(files);
        try
        {
            writer.Apply(plan.Files);
        }
        catch (FileSetException e)
        {
            throw new ApplyException($"writing the exports file failed: {e.Message}", e);
        }
        try
        {
            foreach (var step in plan.Steps) await RunAsync(step, cancellationToken).ConfigureAwait(false);
        }
        catch (ApplyException e)
        {
            // The old file goes back, so that the next exportfs (ours or anyone's) exports what was there before.
            try
            {
                writer.Apply([.. plan.Files.Select(f => f.Inverse)]);
            }
            catch (FileSetException undo)
            {
                throw new ApplyException($"{e.Message}; and putting the old exports file back failed too: {undo.Message}", e);
            }
            throw;
        }
    }

    private ToolCall Exportfs() => new(options.Exportfs, "-ra");

    private async Task RunAsync(PlanStep step, CancellationToken cancellationToken)
    {
        try
        {
            switch (step.Action)
            {
                case PlanAction.RunTool:
                    // exportfs exits 0 even when it could not export a line (a root not created yet): it says so on
                    // stderr, and the line is exported once its directory exists and exportfs runs again.
                    (await tools.RunAsync(step.Tool!, cancellationToken).ConfigureAwait(false)).ThrowIfFailed();
                    break;
                case PlanAction.StartUnit:
                    await Systemd().StartUnitAsync(step.Target, cancellationToken).ConfigureAwait(false);
                    break;
                case PlanAction.RestartUnit:
                    await Systemd().RestartUnitAsync(step.Target, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    throw new InvalidOperationException($"an NFS plan has no {step.Action} steps");
            }
        }
        catch (Exception e) when (e is ToolException or SystemdException)
        {
            throw new ApplyException($"{step} failed: {e.Message}", e);
        }
    }

    private ISystemdManager Systemd() => systemd ?? throw new ApplyException("the plan needs systemd, which this agent was started without");

    private static async Task<string?> ReadAsync(string path, CancellationToken cancellationToken) =>
        File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false) : null;

    private async Task<bool> ActiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await systemd!.GetUnitStateAsync(options.ServerUnit, cancellationToken).ConfigureAwait(false)).ActiveState == "active";
        }
        catch (SystemdException)
        {
            return false;
        }
    }
}
