using System.CommandLine;
using NetbootPi.Agent.NfsRoots;
using NetbootPi.Agent.Os.Tools;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Cli.Local;

/// <summary>
/// <c>netbootpi nfsroot create HOST --from DIR|TARBALL</c>, <c>nfsroot list</c>, <c>nfsroot remove HOST [--yes]</c>:
/// the hosts' own NFS roots at the paths their profiles name.
/// </summary>
internal static class NfsRootCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("nfsroot", "the hosts' own NFS roots: create one from a template, list them, remove one");

        var createHost = HostArgument();
        var from = new Option<string>("--from") { Description = "the template: a directory holding an installed system, or a tarball of one", HelpName = "DIR|TARBALL", Required = true };
        var create = new Command("create", "copy a template to the host's NFS root (owners, modes, links, ACLs and xattrs kept) and give it the host's name, fstab and machine-id")
        {
            createHost, from,
        };
        create.SetAction(async (parse, cancellation) =>
        {
            if (SiteOption.Load(parse, stderr) is not { } site) return CommandLine.ExitInvalid;
            if (Root(site, parse.GetValue(createHost)!, SiteOption.PathOf(parse), stderr) is not var (host, root)) return CommandLine.ExitInvalid;
            try
            {
                await Store().CreateAsync(root, host.Name, Path.GetFullPath(parse.GetValue(from)!), stdout.WriteLine, cancellation).ConfigureAwait(false);
            }
            catch (NfsRootException e)
            {
                stderr.WriteLine($"netbootpi: {host.Name}: {e.Message}; nothing was created at {root}");
                return CommandLine.ExitInvalid;
            }
            return CommandLine.ExitOk;
        });
        command.Subcommands.Add(create);

        var list = new Command("list", "every host's NFS root: present, missing, or with a copy left by an interrupted run");
        list.SetAction(parse =>
        {
            if (SiteOption.Load(parse, stderr) is not { } site) return CommandLine.ExitInvalid;
            foreach (var host in site.Hosts)
            {
                foreach (var root in NfsRootStore.RootsOf(site, host))
                {
                    var state = NfsRootStore.Exists(root) ? "present" : "missing";
                    var exported = host.Ip is null ? " (no ip: not exported)" : "";
                    stdout.WriteLine($"{host.Name,-16} {state,-8} {root}{exported}");
                    foreach (var left in NfsRootStore.Leftovers(root)) stdout.WriteLine($"{"",-16} {"leftover",-8} {left} (removed by the next create)");
                }
            }
            foreach (var p in site.Profiles.Where(p => p.NfsRoot is not null && p.NfsRootMode == NfsRootMode.SharedReadOnly))
                stdout.WriteLine($"{"(shared-ro)",-16} {(NfsRootStore.Exists(p.NfsRoot!) ? "present" : "missing"),-8} {p.NfsRoot} (profile {p.Name})");
            return CommandLine.ExitOk;
        });
        command.Subcommands.Add(list);

        var removeHost = HostArgument();
        var yes = new Option<bool>("--yes", "-y") { Description = "do not ask" };
        var remove = new Command("remove", "delete the host's NFS root (asks first, unless --yes)") { removeHost, yes };
        remove.SetAction(async (parse, cancellation) =>
        {
            if (SiteOption.Load(parse, stderr) is not { } site) return CommandLine.ExitInvalid;
            if (Root(site, parse.GetValue(removeHost)!, SiteOption.PathOf(parse), stderr) is not var (host, root)) return CommandLine.ExitInvalid;
            if (!NfsRootStore.Exists(root))
            {
                stderr.WriteLine($"netbootpi: {host.Name}: {root} does not exist");
                return CommandLine.ExitInvalid;
            }
            if (!parse.GetValue(yes))
            {
                stdout.Write($"delete {root}, {host.Name}'s NFS root, and everything in it? [y/N] ");
                stdout.Flush();
                if (Console.In.ReadLine()?.Trim() is not ("y" or "Y" or "yes"))
                {
                    stdout.WriteLine("nothing deleted");
                    return CommandLine.ExitInvalid;
                }
            }
            try
            {
                await Store().RemoveAsync(root, cancellation).ConfigureAwait(false);
            }
            catch (NfsRootException e)
            {
                stderr.WriteLine($"netbootpi: {host.Name}: {e.Message}");
                return CommandLine.ExitInvalid;
            }
            stdout.WriteLine($"{root} deleted");
            return CommandLine.ExitOk;
        });
        command.Subcommands.Add(remove);
        return command;
    }

    private static Argument<string> HostArgument() => new("HOST") { Description = "a host's name, or its MAC" };

    private static NfsRootStore Store() => new(new ToolRunner(TimeProvider.System), TimeProvider.System);

    /// <summary>The host <paramref name="who"/> names and its one per-host root; null after saying why not.</summary>
    private static (HostEntry Host, string Root)? Root(SiteInventory site, string who, string sitePath, TextWriter stderr)
    {
        if (Cli.HostArgument.Resolve(site, who, sitePath, stderr) is not { } mac) return null;
        if (site.FindHost(mac) is not { } host)
        {
            stderr.WriteLine($"netbootpi: {who} is not a host in {sitePath}; only its hosts have roots of their own");
            return null;
        }
        var roots = NfsRootStore.RootsOf(site, host);
        if (roots.Count == 1) return (host, roots[0]);
        stderr.WriteLine(roots.Count == 0
            ? $"netbootpi: {host.Name} boots no per-host NFS root (its profile {site.Resolve(mac).ProfileName} has no nfsroot, or a shared-ro one)"
            : $"netbootpi: {host.Name} boots {roots.Count} per-host NFS roots ({string.Join(", ", roots)}) through its menu; expected one");
        return null;
    }
}
