using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NetbootPi.Agent.Cli;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Power;

/// <summary>
/// The IPMI driver through <c>netbootpi power</c> against OpenIPMI's <c>ipmi_sim</c>, a BMC on 127.0.0.1 speaking
/// RMCP+ to the real ipmitool. ipmi_sim hands chassis power to a program (lan.conf's chassis_control); ours keeps
/// the chassis state in a file, which the test reads as the machine's power. ipmi_sim is killed on every path.
/// </summary>
public sealed class IpmiPowerTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-ipmi-").FullName;
    private Process? _sim;

    private string Chassis => Path.Combine(_dir, "chassis-power");

    private static int FreeUdpPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    /// <param name="solPort">With a port: the BMC's Serial-over-LAN connects to 127.0.0.1 there, as to the host's serial port.</param>
    private async Task<int> StartBmcAsync(int? solPort = null)
    {
        var sim = Peers.Require("ipmi_sim", "openipmi");
        Peers.Require("ipmitool", "ipmitool");
        var port = FreeUdpPort();
        var control = Path.Combine(_dir, "chassis.sh");
        File.WriteAllText(control, $$"""
            #!/bin/sh
            # ipmi_sim's chassis: "DEV get power" prints power:0|1; "DEV set power 0|1" and "DEV set reset 1" change it.
            state={{Chassis}}
            shift; op=$1; shift
            case $op in
              get) for p in "$@"; do case $p in power) echo "power:$(cat $state 2>/dev/null || echo 0)";; boot) echo boot:default;; *) exit 1;; esac; done ;;
              set) while [ $# -gt 1 ]; do case $1 in power) echo $2 > $state;; reset) echo reset >> $state.resets;; boot) ;; *) exit 1;; esac; shift 2; done ;;
              *) exit 1 ;;
            esac

            """);
        File.SetUnixFileMode(control, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(_dir, "lan.conf"), $$"""
            name "netbootpi-test"
            set_working_mc 0x20
              startlan 1
                addr 127.0.0.1 {{port}}
                priv_limit admin
                allowed_auths_callback md5
                allowed_auths_user md5
                allowed_auths_operator md5
                allowed_auths_admin md5
                guid 6e6574626f6f7470692d746573742d31
              endlan
              chassis_control "{{control}} 0x20"
              {{(solPort is { } sp ? $"sol \"tcp:127.0.0.1:{sp}\" 115200" : "")}}
              user 2 true "operator" "s3cret-pw" admin 10 md5

            """);
        File.WriteAllText(Path.Combine(_dir, "bmc.emu"), """
            mc_setbmc 0x20
            mc_add 0x20 0 no-device-sdrs 0x23 0x09 0x08 0x9f 0x1291 0xf02 persist_sdr
            mc_enable 0x20

            """);
        Directory.CreateDirectory(Path.Combine(_dir, "bmc-state"));
        var psi = new ProcessStartInfo(sim) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = _dir };
        foreach (var a in (string[])["-n", "-p", "-c", "lan.conf", "-f", "bmc.emu", "-s", "bmc-state"]) psi.ArgumentList.Add(a);
        _sim = Process.Start(psi)!;
        _sim.OutputDataReceived += (_, _) => { };
        _sim.ErrorDataReceived += (_, _) => { };
        _sim.BeginOutputReadLine();
        _sim.BeginErrorReadLine();
        // Ready when it answers: ipmitool itself, until it gets a session (a process start, not a timed behaviour).
        for (var i = 0; i < 50; i++)
        {
            var (code, _, _) = await Tool.RunAsync("ipmitool", ["-I", "lanplus", "-H", "127.0.0.1", "-p", $"{port}", "-C", "3", "-U", "operator", "-P", "s3cret-pw", "-N", "1", "-R", "1", "mc", "info"], Ct);
            if (code == 0) return port;
            Assert.False(_sim.HasExited, "ipmi_sim exited");
            await Task.Delay(100, Ct);
        }
        Assert.Fail("ipmi_sim did not answer within 5 s");
        return 0;
    }

    private string Site(int port, string secrets = "bmc: { username: operator, password: s3cret-pw }\n", UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = Path.Combine(_dir, "site.yaml");
        File.WriteAllText(path, $$"""
            site: { name: lab, domain: lab.internal }
            server: { state_dir: {{Path.Combine(_dir, "state")}} }
            networks:
              lan: { interface: eth0, address: 10.9.0.1/24 }
            profiles:
              p: { local: true }
            defaults: { profile: p }
            hosts:
              bmc: { mac: 52:54:00:00:00:02, ip: 10.9.0.11, power: { driver: ipmi, address: 127.0.0.1, port: {{port}} } }
            """);
        var secretsPath = Path.Combine(_dir, "power-secrets.yaml");
        File.WriteAllText(secretsPath, secrets);
        File.SetUnixFileMode(secretsPath, mode);
        return path;
    }

    private static async Task<(int, string, string)> Cli(params string[] args)
    {
        using var o = new StringWriter();
        using var e = new StringWriter();
        var code = await CommandLine.RunAsync(args, o, e, Ct);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public async Task Status_on_off_cycle_and_reset_reach_the_simulated_chassis()
    {
        var port = await StartBmcAsync();
        var site = Site(port);
        Assert.Equal((0, "bmc: off (the BMC says)\n", ""), await Cli("power", "--direct", "bmc", "status", "--config", site));
        Assert.Equal((0, "bmc: chassis power on: now on\n", ""), await Cli("power", "--direct", "bmc", "on", "--config", site));
        Assert.Equal("1", File.ReadAllText(Chassis).Trim());
        Assert.Equal((0, "bmc: on (the BMC says)\n", ""), await Cli("power", "--direct", "bmc", "status", "--config", site));
        Assert.Equal((0, "bmc: chassis power reset: now on\n", ""), await Cli("power", "--direct", "bmc", "reset", "--config", site));
        Assert.Equal(["reset"], File.ReadAllLines(Chassis + ".resets"));
        var (cycle, cycleOut, _) = await Cli("power", "--direct", "bmc", "cycle", "--config", site);
        Assert.Equal(0, cycle);
        Assert.StartsWith("bmc: chassis power cycle: now ", cycleOut, StringComparison.Ordinal);
        Assert.Equal((0, "bmc: chassis power off: now off\n", ""), await Cli("power", "--direct", "bmc", "off", "--force", "--config", site));
        Assert.Equal("0", File.ReadAllText(Chassis).Trim());

        var events = BootEventLog.ReadFiles(Path.Combine(_dir, "state")).Where(e => e.Kind == BootEventKind.Power).Select(e => e.Path.Split(':')[0]).ToList();
        Assert.Equal(["on", "reset", "cycle", "off --force"], events);
        Assert.DoesNotContain(BootEventLog.ReadFiles(Path.Combine(_dir, "state")), e => e.Path.Contains("s3cret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_password_is_refused_by_the_BMC_and_never_printed()
    {
        var port = await StartBmcAsync();
        var site = Site(port, "bmc: { username: operator, password: not-the-pw }\n");
        var (code, stdout, stderr) = await Cli("power", "--direct", "bmc", "on", "--config", site);
        Assert.Equal((1, ""), (code, stdout));
        Assert.StartsWith($"netbootpi: power on bmc: the BMC at 127.0.0.1:{port} refused chassis power on: ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-pw", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Chassis));
    }

    [Fact]
    public async Task The_secrets_file_must_be_the_owner_s_alone_and_name_every_BMC_host()
    {
        var site = Site(623, mode: UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var secrets = Path.Combine(_dir, "power-secrets.yaml");
        var (code, _, err) = await Cli("check", site);
        Assert.Equal(1, code);
        Assert.Contains($"{secrets}:1:1: (file): mode 640 lets others read or change the BMC passwords (expected 0600: chmod 600 {secrets})", err, StringComparison.Ordinal);

        Site(623, "other: { username: a, password: b }\n");
        (code, _, err) = await Cli("check", site);
        Assert.Equal(1, code);
        Assert.Contains($"hosts.bmc.power.driver: no account for host bmc in {secrets} (expected bmc: {{ username: NAME, password: SECRET }} there)", err, StringComparison.Ordinal);

        Site(623, "bmc: hunter2\n");
        (code, _, err) = await Cli("check", site);
        Assert.Equal(1, code);
        Assert.Contains($"{secrets}:1:1: bmc: expected a mapping with username and password (both strings)", err, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_console_is_read_over_serial_over_LAN_with_the_BMC_s_account()
    {
        // The host's serial port, which ipmi_sim's SOL connects to once a session activates it.
        using var host = new TcpListener(IPAddress.Loopback, 0);
        host.Start();
        var port = await StartBmcAsync(((IPEndPoint)host.LocalEndpoint).Port);
        var site = Site(port);
        File.WriteAllText(site, File.ReadAllText(site).Replace(", port: " + port + " } }", ", port: " + port + " }, console: { sol: true } }", StringComparison.Ordinal));
        using var agent = AgentProcess.Start(new Dictionary<string, string> { [ControlSocketPath.EnvironmentVariable] = ControlSocketPath.None },
            "run", "--config", site, "--listen", "127.0.0.1", "--tftp-port", "0", "--http-listen", "127.0.0.1:0", "--no-dhcp", "--no-dns");
        using var serial = await host.AcceptTcpClientAsync(Ct);
        agent.WaitFor("console of bmc: reading IPMI Serial-over-LAN");
        // What the host writes before the session is fully up is lost (as on a real BMC): it says its banner until the box has it.
        var log = Path.Combine(_dir, "state", "consoles", "bmc.log");
        bool Has(string text) => File.Exists(log) && ReadShared(log).Contains(text, StringComparison.Ordinal);
        for (var i = 0; i < 50 && !Has("Debian GNU/Linux 12 bmc ttyS0"); i++)
        {
            await serial.GetStream().WriteAsync("Debian GNU/Linux 12 bmc ttyS0\r\n"u8.ToArray(), Ct);
            await Task.Delay(200, Ct);
        }
        await serial.GetStream().WriteAsync("\r\nbmc login: "u8.ToArray(), Ct);
        for (var i = 0; i < 100 && !Has("bmc login:"); i++) await Task.Delay(50, Ct);
        var lines = ReadShared(log).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[25..]).ToList();
        // ipmitool's own banner is not the host's: only what the host wrote.
        Assert.Equal("bmc login:", lines[^1]);
        Assert.All(lines.SkipLast(1), l => Assert.Equal("Debian GNU/Linux 12 bmc ttyS0", l));
        // The BMC's password reached ipmitool in its environment, not in its argv, which /proc shows to everyone.
        var ipmitool = Directory.GetDirectories("/proc").Select(d => Path.Combine(d, "cmdline")).Where(File.Exists)
            .Select(f => { try { return File.ReadAllText(f).Replace('\0', ' '); } catch (IOException) { return ""; } })
            .Where(c => c.Contains("sol activate", StringComparison.Ordinal) && c.Contains($" {port} ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(ipmitool);
        Assert.All(ipmitool, c => Assert.DoesNotContain("s3cret-pw", c, StringComparison.Ordinal));
        Assert.DoesNotContain("s3cret-pw", agent.Output, StringComparison.Ordinal);
    }

    private static string ReadShared(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(f).ReadToEnd();
    }

    public void Dispose()
    {
        if (_sim is { HasExited: false })
        {
            _sim.Kill(entireProcessTree: true);
            _sim.WaitForExit(5000);
        }
        _sim?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
