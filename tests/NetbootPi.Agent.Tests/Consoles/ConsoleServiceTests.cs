using System.Net.Sockets;
using System.Text;
using NetbootPi.Agent.Cli;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Consoles;

/// <summary>
/// The agent (its own process) reading a host's console from a unix socket the test serves, as qemu's
/// <c>-serial unix:PATH,server=on</c> does: lines recorded with their time, <c>netbootpi console</c> printing them,
/// the loss of the socket and the reconnection as the host's events.
/// </summary>
public sealed class ConsoleServiceTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-consoles-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string State => Path.Combine(_dir, "state");

    private static async Task<(int, string, string)> Cli(params string[] args)
    {
        using var o = new StringWriter();
        using var e = new StringWriter();
        var code = await CommandLine.RunAsync(args, o, e, Ct);
        return (code, o.ToString(), e.ToString());
    }

    private async Task<string> WaitForLogAsync(string text)
    {
        var path = Path.Combine(State, "consoles", "vm.log");
        for (var i = 0; i < 200; i++)
        {
            // Another process writes it: its write is not something a fake clock can stand in for.
            if (File.Exists(path))
            {
                using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                var content = await new StreamReader(f).ReadToEndAsync(Ct);
                if (content.Contains(text, StringComparison.Ordinal)) return content;
            }
            await Task.Delay(50, Ct);
        }
        Assert.Fail($"'{text}' not in {path} within 10 s");
        return "";
    }

    [Fact]
    public async Task Lines_from_the_socket_are_recorded_and_a_lost_socket_is_found_again()
    {
        var socketPath = Path.Combine(_dir, "vm.serial");
        var site = Path.Combine(_dir, "site.yaml");
        await File.WriteAllTextAsync(site, $$"""
            site: { name: lab }
            server: { state_dir: {{State}} }
            networks:
              lan: { interface: lo, address: 127.0.0.1/8 }
            profiles:
              p: { local: true }
            defaults: { profile: p }
            hosts:
              vm: { mac: 52:54:00:00:00:01, console: { socket: vm.serial } }
              other: { mac: 52:54:00:00:00:02 }
            """, Ct);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen();
        using var agent = AgentProcess.Start(new Dictionary<string, string> { [ControlSocketPath.EnvironmentVariable] = ControlSocketPath.None },
            "run", "--config", site, "--listen", "127.0.0.1", "--tftp-port", "0", "--http-listen", "127.0.0.1:0", "--no-dhcp", "--no-dns");

        using (var vm = await listener.AcceptAsync(Ct))
        {
            agent.WaitFor($"console of vm: reading socket {socketPath}");
            await vm.SendAsync(Encoding.UTF8.GetBytes("\x1b[2J\x1b[HSeaBIOS (version 1.16.2)\r\n\r\nBooting from ROM...\r\nvm login: "), Ct);
            // The prompt has no newline: it is taken as it is once the line has been quiet for a second.
            var log = await WaitForLogAsync("vm login:");
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z SeaBIOS \(version 1\.16\.2\)\n\S+ Booting from ROM\.\.\.\n\S+ vm login:\n$", log);
        }
        // The VM went away (powered off, restarted): the agent says so once and connects when it is back.
        agent.WaitFor($"console of vm: lost socket {socketPath}: it closed");
        using (var vm = await listener.AcceptAsync(Ct))
        {
            await vm.SendAsync(Encoding.UTF8.GetBytes("second boot\n"), Ct);
            await WaitForLogAsync("second boot");
        }

        var (code, output, error) = await Cli("console", "vm", "--config", site, "--lines", "2");
        Assert.Equal((0, ""), (code, error));
        Assert.Matches(@"^\S+ vm login:\n\S+ second boot\n$", output);
        (code, _, error) = await Cli("console", "other", "--config", site);
        Assert.Equal(1, code);
        Assert.Contains("host other (", error, StringComparison.Ordinal);
        Assert.Contains("has no console: (add console: { serial: /dev/ttyUSB0 } or { socket: PATH }; docs/power.md)", error, StringComparison.Ordinal);

        agent.Signal("TERM");
        Assert.Equal(0, agent.WaitForExit());
        var events = BootEventLog.ReadFiles(State).Where(e => e.Kind == BootEventKind.Console).Select(e => $"{e.Client} {e.Host} {e.Status} {e.Path}").ToList();
        Assert.Equal([$"console vm 0 reading socket {socketPath}", $"console vm 1 lost socket {socketPath}: it closed; trying again every 10s at most",
            $"console vm 0 reading socket {socketPath}"], events.Take(3));
    }
}
