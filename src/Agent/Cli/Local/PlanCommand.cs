using System.CommandLine;
using NetbootPi.Agent.Apply.Network;
using NetbootPi.Agent.Apply.Nfs;
using NetbootPi.Agent.Os.DBus;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Os.Tools;

namespace NetbootPi.Agent.Cli.Local;

/// <summary>
/// <c>netbootpi plan</c>: what applying the site's network (and NFS exports, when it has any) would change on this box, as a patch (every file as a
/// unified diff, the nftables table in full when it changes) with the steps around it as <c>#</c> lines. It reads
/// the files, links, units and the loaded table, and changes nothing.
/// </summary>
internal static class PlanCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var defaults = new NetworkApplierOptions();
        var networkdDir = new Option<string>("--networkd-dir") { Description = "systemd-networkd's directory (labs)", HelpName = "DIR", DefaultValueFactory = _ => defaults.NetworkdDirectory };
        var netctlDir = new Option<string>("--netctl-dir") { Description = "netctl's profile directory (labs)", HelpName = "DIR", DefaultValueFactory = _ => defaults.NetctlDirectory };
        var nftFile = new Option<string>("--nft-file") { Description = "the file of our nftables table (labs)", HelpName = "FILE", DefaultValueFactory = _ => defaults.NftablesFile };
        var exportsFile = new Option<string>("--exports-file") { Description = "our NFS exports file (labs)", HelpName = "FILE", DefaultValueFactory = _ => new NfsApplierOptions().ExportsFile };
        var nfsConfFile = new Option<string>("--nfs-conf-file") { Description = "our nfs.conf.d file, mountd's port (labs)", HelpName = "FILE", DefaultValueFactory = _ => new NfsApplierOptions().PortsFile };
        var command = new Command("plan", "print what applying the site's network and NFS exports would change (files as diffs, the nftables rules); changes nothing")
        {
            networkdDir, netctlDir, nftFile, exportsFile, nfsConfFile,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            if (SiteOption.Load(parse, stderr) is not { } site) return CommandLine.ExitInvalid;
            var options = new NetworkApplierOptions
            {
                NetworkdDirectory = parse.GetValue(networkdDir)!,
                NetctlDirectory = parse.GetValue(netctlDir)!,
                NftablesFile = parse.GetValue(nftFile)!,
            };
            var time = TimeProvider.System;
            await using var systemd = SystemdManager.ForSystemBus(new SystemdManagerOptions { TimeProvider = time, CallTimeout = TimeSpan.FromSeconds(5) });
            // Only PlanAsync is called: nothing is written, started, stopped or loaded.
            var applier = new NetworkApplier(options, AtomicFiles.Local, new ToolRunner(time), systemd, NetworkdOnBus.System(time));
            var plan = await applier.PlanAsync(NetworkWanted.From(site), cancellation).ConfigureAwait(false);
            stdout.Write(plan.Render());
            // NFS only where there is something to say: a site without NFS roots on a box without our exports file.
            var nfs = await new NfsApplier(new NfsApplierOptions { ExportsFile = parse.GetValue(exportsFile)!, PortsFile = parse.GetValue(nfsConfFile)! }, AtomicFiles.Local, new ToolRunner(time), systemd)
                .PlanAsync(NfsWanted.From(site), cancellation).ConfigureAwait(false);
            if (!nfs.IsEmpty || nfs.Notes.Count > 0) stdout.Write(nfs.Render());
            return CommandLine.ExitOk;
        });
        return command;
    }
}
