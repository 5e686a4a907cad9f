using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Dhcp;

/// <summary>
/// One run of ISC dhclient in a namespace: a config with the given statements, its own lease and pid files, a
/// script that configures nothing and only records what dhclient tells it (the lease file has no siaddr; the
/// script's environment has it as new_next_server). dhclient stays in the foreground (-d) and is stopped once
/// the script has seen the lease, so nothing is left running.
/// </summary>
internal static class Dhclient
{
    // A safety net for a silent server, not a performance bound: the wait ends as soon as the lease is written.
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(20);

    public static async Task<IReadOnlyDictionary<string, string>> LeaseAsync(NetLab lab, string ns, string iface, string dhclient, string name,
        string statements, AgentProcess agent, CancellationToken ct)
    {
        var conf = lab.Path($"{name}.conf");
        var leases = lab.Path($"{name}.leases");
        await File.WriteAllTextAsync(conf, statements + "\nrequest subnet-mask, routers, domain-name-servers, domain-name;\n", ct);
        var bound = lab.Path($"{name}.env");
        var script = lab.Script($"{name}.sh", $"case \"$reason\" in BOUND|REBOOT) env > {bound}.tmp && mv {bound}.tmp {bound};; esac\nexit 0");
        var p = lab.Start(ns, dhclient, "-d", "-1", "-cf", conf, "-lf", leases, "-pf", lab.Path($"{name}.pid"), "-sf", script, iface);
        var deadline = DateTime.UtcNow + WaitLimit;
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(bound))
            {
                p.Kill(entireProcessTree: true);
                return (await File.ReadAllLinesAsync(bound, ct)).Select(l => l.Split('=', 2)).Where(kv => kv.Length == 2)
                    .GroupBy(kv => kv[0], StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First()[1], StringComparer.Ordinal);
            }
            if (p.HasExited) break;
            await Task.Delay(50, ct);
        }
        if (!p.HasExited) p.Kill(entireProcessTree: true);
        throw new Xunit.Sdk.XunitException($"dhclient ({name}) wrote no lease. Agent:\n{agent.Output}");
    }
}
