using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Dhcp;

/// <summary>
/// The receive loop never waits on logging: the agent logs at Debug (a line per request) to a pipe that nobody
/// reads, so once the pipe and the console logger's queue are full every write blocks forever — a stalled
/// journald or terminal. The agent must go on answering DHCP, and boot events must go on reaching the event log.
/// Not a timing test: the loads are far below what the agent serves, the checks are "answers at all".
/// </summary>
public partial class BlockedLogTests
{
    [Fact]
    public async Task Agent_answers_dhcp_while_its_log_writer_is_blocked_forever()
    {
        var ct = TestContext.Current.CancellationToken;
        var perfdhcp = Peers.Require("perfdhcp", "kea-admin");
        using var lab = new NetLab();
        var srv = lab.Namespace("srv");
        var cli = lab.Namespace("cli");
        lab.Link(srv, "s0", "10.78.0.1/16", cli, "c0", "10.78.0.2/16");
        var site = lab.Path("site.yaml");
        var state = lab.Path("state");
        await File.WriteAllTextAsync(site, $$"""
            site: { name: lab }
            server: { state_dir: {{state}} }
            networks:
              lan:
                interface: s0
                address: 10.78.0.1/16
                dhcp: { mode: authoritative, range: 10.78.1.0-10.78.255.250, lease: 1h }
            profiles:
              p: { local: true }
            defaults: { profile: p }
            """, ct);

        var psi = new ProcessStartInfo(lab.Ip)
        {
            UseShellExecute = false,
            RedirectStandardError = true,   // read until the agent listens, then never again
            RedirectStandardOutput = true,
        };
        foreach (var a in (string[])["netns", "exec", srv, "env", "NETBOOTPI_LOG_LEVEL=debug", "NETBOOTPI_CONTROL_SOCKET=none", AgentProcess.Executable,
                     "run", "--config", site, "--no-tftp", "--http-listen", "127.0.0.1:0"])
            psi.ArgumentList.Add(a);
        psi.Environment.Remove("JOURNAL_STREAM");
        psi.Environment.Remove("NOTIFY_SOCKET");
        using var agent = Process.Start(psi)!;
        try
        {
            agent.OutputDataReceived += (_, _) => { };
            agent.BeginOutputReadLine();
            var startup = new List<string>();
            using (var limit = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                limit.CancelAfter(TimeSpan.FromSeconds(60));
                while (true)
                {
                    var line = await agent.StandardError.ReadLineAsync(limit.Token)
                        ?? throw new Xunit.Sdk.XunitException($"the agent exited before listening:\n{string.Join('\n', startup)}");
                    startup.Add(line);
                    if (line.Contains("DHCP server listening on s0", StringComparison.Ordinal)) break;
                }
            }

            // A few thousand exchanges at Debug: two lines each fill the 64 KiB pipe, the console logger's queue
            // and the DHCP log queue many times over.
            await Perfdhcp(lab, cli, perfdhcp, rate: 1000, exchanges: 6000, ct);
            var blocked = WaitUntil(() => ThreadsIn(agent.Id, "pipe_write") > 0, TimeSpan.FromSeconds(30));
            Assert.True(blocked, $"no thread of the agent is blocked writing its log pipe (wchan: {string.Join(", ", Wchans(agent.Id))}); the test did not create the condition it is about");

            // Still blocked, and still answering: every exchange of a small run completes.
            var (sent, acked) = await Perfdhcp(lab, cli, perfdhcp, rate: 100, exchanges: 200, ct);
            Assert.True(ThreadsIn(agent.Id, "pipe_write") > 0, "the log writer is no longer blocked: the check below would prove nothing");
            Assert.True(sent >= 190 && acked >= sent * 9 / 10,
                $"with its log blocked the agent answered {acked} of {sent} DORAs (wchan: {string.Join(", ", Wchans(agent.Id))})");

            // Boot events are written by their own thread: DORAs keep reaching the event log.
            var events = Path.Combine(state, "events.jsonl");
            Assert.True(WaitUntil(() => DhcpEvents(events) >= acked, TimeSpan.FromSeconds(30)),
                $"{DhcpEvents(events)} dhcp boot events in {events}, expected at least {acked}");
        }
        finally
        {
            if (!agent.HasExited) agent.Kill(entireProcessTree: true);
            await agent.WaitForExitAsync(CancellationToken.None);
        }
    }

    /// <summary>Runs perfdhcp as a relay against the agent; returns DISCOVERs sent and ACKs received.</summary>
    private static async Task<(int Sent, int Acked)> Perfdhcp(NetLab lab, string ns, string perfdhcp, int rate, int exchanges, CancellationToken ct)
    {
        var (_, stdout, stderr) = await lab.RunAsync(ns, perfdhcp,
            ["-4", "-l", "c0", "-r", rate.ToString(CultureInfo.InvariantCulture), "-n", exchanges.ToString(CultureInfo.InvariantCulture),
             "-R", exchanges.ToString(CultureInfo.InvariantCulture), "-g", "single", "10.78.0.1"], ct, TimeSpan.FromSeconds(120));
        // perfdhcp prints "sent packets: N" / "received packets: N" for DISCOVER-OFFER, then for REQUEST-ACK.
        var sent = SentPackets().Matches(stdout).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        var received = ReceivedPackets().Matches(stdout).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.True(sent.Count >= 2 && received.Count >= 2, $"perfdhcp printed no statistics: {stdout}{stderr}");
        return (sent[0], received[1]);
    }

    private static int DhcpEvents(string path)
    {
        try
        {
            using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            var n = 0;
            while (reader.ReadLine() is { } line)
                if (line.Contains("\"what\":\"dhcp\"", StringComparison.Ordinal)) n++;
            return n;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }

    private static IEnumerable<string> Wchans(int pid) =>
        Directory.EnumerateDirectories($"/proc/{pid}/task").Select(t =>
        {
            try { return File.ReadAllText(Path.Combine(t, "wchan")); }
            catch (IOException) { return ""; }
        });

    // "pipe_write" on older kernels, "anon_pipe_write" on newer ones.
    private static int ThreadsIn(int pid, string wchan) => Wchans(pid).Count(w => w.Contains(wchan, StringComparison.Ordinal));

    /// <summary>Polls a condition that another process makes true, up to a safety limit (not a timing bound).</summary>
    private static bool WaitUntil(Func<bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(50);
        }
        return true;
    }

    [GeneratedRegex(@"^sent packets: (\d+)", RegexOptions.Multiline)]
    private static partial Regex SentPackets();

    [GeneratedRegex(@"^received packets: (\d+)", RegexOptions.Multiline)]
    private static partial Regex ReceivedPackets();
}
