using System.Diagnostics;
using NetbootPi.Agent.Tests.Support;
using NetbootPi.KernelLab.Tests.Support;

namespace NetbootPi.KernelLab.Tests.Terminal;

/// <summary>
/// The web console's terminal escapes the agent's sandbox: the published agent runs as a unit of PID 1 with the
/// sandbox of image/netbootpi.service (ProtectSystem=strict, ProtectHome, PrivateTmp, NoNewPrivileges) in the shared
/// systemd VM; a .NET WebSocket logs in as an admin named root and opens the terminal; the shell writes a file in
/// /etc, where the agent's own mount namespace cannot; closing the socket ends the shell's transient unit.
/// </summary>
[Collection(SystemdLabCollection.Name)]
public class TerminalLabTests(SystemdLabFixture lab)
{
    private const string AgentUnit = "nbp-terminal-agent.service";
    private const string Folder = "/run/nbp-terminal";
    private const string Proof = "/etc/netbootpi-terminal-proof";
    private const string Password = "correct horse battery";

    [Fact]
    public async Task The_shell_writes_where_the_sandboxed_agent_cannot_and_ends_with_its_socket()
    {
        if (!LabHarness.IsInside)
        {
            await PublishedAgent.EnsureAsync(TestContext.Current.CancellationToken);
            await lab.RunInsideAsync();
            return;
        }
        var cancellation = TestContext.Current.CancellationToken;
        Directory.CreateDirectory(Path.Combine(Folder, "state"));
        const string address = "127.0.0.77";
        File.WriteAllText(Path.Combine(Folder, "site.yaml"), $"""
            site: {"{"} name: lab {"}"}
            server: {"{"} state_dir: {Folder}/state, data_dir: {Folder}/data, http_port: 8081, api_port: 8443, api_http_port: 8080 {"}"}
            networks:
              mgmt: {"{"} interface: lo, address: {address}/8, role: management {"}"}
            """);
        try
        {
            // The sandbox of image/netbootpi.service, the folder of this test in place of the box's.
            // PrivateTmp=yes hides the lab's /tmp from the unit, where a fresh clone (CI's) has the published agent: the
            // unit runs a copy from the test's folder (a CI run failed with 203/EXEC, "Failed to locate executable").
            var agent = Path.Combine(Folder, "netbootpi");
            File.Copy(PublishedAgent.Executable, agent, overwrite: true);
            File.SetUnixFileMode(agent, (UnixFileMode)0b111_101_101);
            var start = Run($"systemd-run --unit {AgentUnit} --property Type=notify --property NotifyAccess=main --property ProtectSystem=strict "
                + $"--property ReadWritePaths={Folder} --property ProtectHome=yes --property PrivateTmp=yes --property NoNewPrivileges=yes "
                + $"{agent} run --config {Folder}/site.yaml --no-dhcp --no-dns --listen 127.0.0.1 --tftp-port 0 --http-listen 127.0.0.1:0 "
                + $"--control-socket {Folder}/control.sock --control-group root --network-api");
            // The agent's own words when it did not start (a CI run failed here, with only systemd-run's "see journalctl").
            if (start.Code != 0)
                throw new Xunit.Sdk.XunitException($"the agent's unit did not start ({start.Error.Trim()}):\n{Run($"journalctl -u {AgentUnit} --no-pager -o cat | tail -n 40; ss -ltnp").Output}");
            Sh($"echo '{Password}' | {PublishedAgent.Executable} user add root --role admin --password-stdin --socket {Folder}/control.sock");
            var agentPid = Sh($"systemctl show -p MainPID --value {AgentUnit}").Trim();
            // The agent's own view of /etc: read-only.
            var agentWrite = Run($"nsenter -t {agentPid} -m sh -c 'echo agent > {Proof}'");
            Assert.True(agentWrite.Code != 0 && agentWrite.Error.Contains("Read-only file system", StringComparison.Ordinal), $"the agent's write: {agentWrite}");

            // root's login shell reads root's start files, and the lab's root is this machine's: a developer's or CI
            // machine's ~/.bashrc (a pyenv init took 8 s of the shell's start under emulation, 40 s of the test with
            // the typing's wait) is not what is tested. The VM's own /root, a box's: Debian's /etc/skel.
            Sh("mount -t tmpfs -o mode=0700 nbp-terminal-root /root && cp -a /etc/skel/. /root/");
            using var client = new TerminalClient($"https://{address}:8443", certificate: null);
            await client.LoginAsync("root", Password, cancellation);
            await client.ConnectAsync(80, 24, cancellation);
            await client.TypeAsync($"echo shell > {Proof} && echo wrote-$((6*7))\n", cancellation);
            Assert.True(await client.ReadUntilAsync("wrote-42", TimeSpan.FromSeconds(60), cancellation), client.Output);
            Assert.Equal("shell\n", File.ReadAllText(Proof));
            var unit = Sh("systemctl list-units --no-legend --plain 'netbootpi-terminal-*' | awk '{print $1}'").Trim();
            Assert.Matches(@"^netbootpi-terminal-[0-9a-f]+\.service$", unit);
            Assert.Equal(("root", "no", "active"), (Show(unit, "User"), Show(unit, "ProtectSystem"), Show(unit, "ActiveState")));

            await client.CloseAsync(cancellation);
            WaitFor(() => Show(unit, "ActiveState") == "inactive", TimeSpan.FromSeconds(30), $"{unit} to end after the socket closed");
            Assert.Contains($"{unit} closed: the browser closed the terminal", Sh($"journalctl -u {AgentUnit} --no-pager -o cat"), StringComparison.Ordinal);
        }
        finally
        {
            Run($"systemctl stop {AgentUnit}; systemctl reset-failed {AgentUnit}; systemctl stop 'netbootpi-terminal-*'; rm -rf {Folder} {Proof}; "
                + "! mountpoint -q /root || umount /root");
        }
    }

    private static string Show(string unit, string property) => Sh($"systemctl show -p {property} --value {unit}").Trim();

    private static void WaitFor(Func<bool> condition, TimeSpan limit, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit) throw new Xunit.Sdk.XunitException($"no {what} within {limit.TotalSeconds} s:\n{Run("systemctl list-units --all 'netbootpi-terminal-*' --no-pager")}");
            Thread.Sleep(200);
        }
    }

    private static string Sh(string script)
    {
        var result = Run(script);
        if (result.Code != 0) throw new Xunit.Sdk.XunitException($"'{script}' exited with {result.Code}: {result.Error}");
        return result.Output;
    }

    private static (int Code, string Output, string Error) Run(string script)
    {
        var psi = new ProcessStartInfo("/bin/sh", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output.Result, error);
    }
}
