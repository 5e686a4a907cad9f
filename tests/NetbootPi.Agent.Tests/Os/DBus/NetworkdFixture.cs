using System.Diagnostics;
using System.Security.Cryptography;
using NetbootPi.Agent.Os.DBus;
using Tmds.DBus.Protocol;

namespace NetbootPi.Agent.Tests.Os.DBus;

/// <summary>
/// A real systemd-networkd on a private system bus: a dbus-daemon of its own (system-bus configuration, socket in
/// a temp folder, started with <c>--print-address</c>), and networkd in a network namespace of its own with a veth
/// pair (<see cref="Link"/> and its peer <see cref="Peer"/>), in a private mount namespace where /run/systemd is a
/// tmpfs, /etc/systemd/network is <see cref="NetworkFolder"/> and /sys is read-only (networkd then does not wait
/// for udev, which does not run here). The bus can be stopped and started again at the same address, and networkd
/// restarted on it. Dispose
/// stops both processes and deletes the namespace and the folder, also after a failed start.
/// </summary>
public sealed class NetworkdFixture : IAsyncLifetime
{
    private const string NetworkdPath = "/lib/systemd/systemd-networkd";
    private const string DaemonPath = "/usr/bin/dbus-daemon";
    private const string UnsharePath = "/usr/bin/unshare";
    private const int SIGTERM = 15;

    private readonly string _tag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
    private Process? _bus;
    private Process? _networkd;
    private string? _folder;
    private string? _namespace;

    /// <summary>Why networkd is not running, for the skip message.</summary>
    public string? Unavailable { get; private set; }

    /// <summary>The private system bus networkd is on.</summary>
    public string? BusAddress { get; private set; }

    /// <summary>The veth end networkd manages (by <c>10-link.network</c>), and its peer, down until a test brings it up.</summary>
    public string Link => $"nbpnd{_tag}a";

    public string Peer => $"nbpnd{_tag}b";

    /// <summary>The network namespace networkd and its links are in.</summary>
    public string Namespace => _namespace!;

    /// <summary>networkd's /etc/systemd/network.</summary>
    public string NetworkFolder => Path.Combine(_folder!, "network");

    public async ValueTask InitializeAsync()
    {
        Unavailable = MissingPrerequisite();
        if (Unavailable is not null || !OperatingSystem.IsLinux()) return;
        try
        {
            await StartAsync();
        }
        catch
        {
            // A fixture whose initialization failed may not be disposed by xunit: clean up here (cleanup is idempotent).
            await DisposeAsync();
            throw;
        }
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private async Task StartAsync()
    {
        _folder = Directory.CreateTempSubdirectory($"netbootpi-networkd-{_tag}-").FullName;
        // networkd drops to the systemd-network user: it must reach the bus socket and read its configuration.
        File.SetUnixFileMode(_folder, (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(NetworkFolder);
        WriteNetwork("10-link.network", "10.77.0.1/24");
        await File.WriteAllTextAsync(Path.Combine(_folder, "bus.conf"), $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
             "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>system</type>
              <listen>unix:path={_folder}/system_bus_socket</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow user="*"/>
                <allow own="*"/>
                <allow send_destination="*"/>
                <allow receive_sender="*"/>
              </policy>
            </busconfig>
            """);
        await StartBusAsync();

        _namespace = $"nbp-nd-{_tag}";
        await RunAsync("ip", "netns", "add", _namespace);
        await RunAsync("ip", "-n", _namespace, "link", "set", "lo", "up");
        await RunAsync("ip", "-n", _namespace, "link", "add", Link, "type", "veth", "peer", "name", Peer);

        await StartNetworkdAsync();
    }

    /// <summary>
    /// Stops networkd and starts it again, after a bus restart: networkd (252) stays off a bus that went away, as
    /// most services do; on a real box systemd restarts what needs the bus.
    /// </summary>
    public async Task RestartNetworkdAsync()
    {
        await StopNetworkdAsync();
        await StartNetworkdAsync();
    }

    private async Task StartNetworkdAsync()
    {
        var start = new ProcessStartInfo("ip", ["netns", "exec", _namespace!, UnsharePath, "-m", "--propagation", "private", "sh", "-c",
            "mount -t tmpfs tmpfs /run/systemd && mkdir -p /run/systemd/netif/links /run/systemd/netif/leases /run/systemd/netif/lldp" +
            " && chown -R systemd-network:systemd-network /run/systemd/netif" +
            $" && mount --bind {NetworkFolder} /etc/systemd/network" +
            " && umount /sys && mount -t sysfs -o ro sysfs /sys" +
            $" && exec {NetworkdPath}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DBUS_SYSTEM_BUS_ADDRESS"] = BusAddress;
        _networkd = Process.Start(start) ?? throw new InvalidOperationException("systemd-networkd did not start");
        var output = new System.Text.StringBuilder();
        _networkd.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        _networkd.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        _networkd.BeginOutputReadLine();
        _networkd.BeginErrorReadLine();
        await WaitForNetworkdAsync(() => { lock (output) return output.ToString(); });
    }

    private async Task StopNetworkdAsync()
    {
        if (_networkd is null) return;
        if (!_networkd.HasExited) _networkd.Kill();
        await _networkd.WaitForExitAsync();
        _networkd.Dispose();
        _networkd = null;
    }

    /// <summary>Writes a .network file for <see cref="Link"/> with one address, configured with or without carrier.</summary>
    public void WriteNetwork(string name, string cidr) =>
        File.WriteAllText(Path.Combine(NetworkFolder, name), $"""
            [Match]
            Name={Link}
            [Network]
            ConfigureWithoutCarrier=yes
            LinkLocalAddressing=no
            Address={cidr}
            """);

    /// <summary>Runs <paramref name="command"/> in networkd's namespace and returns its output (e.g. <c>ip -4 -o addr</c>).</summary>
    public Task<string> InNamespaceAsync(params string[] command) => RunAsync("ip", ["netns", "exec", _namespace!, .. command]);

    /// <summary>Stops the bus (SIGTERM, as a restart of dbus does) and waits until it has gone.</summary>
    public async Task StopBusAsync()
    {
        if (_bus is { HasExited: false })
        {
            _ = kill(_bus.Id, SIGTERM);
            await _bus.WaitForExitAsync();
        }
        _bus?.Dispose();
        _bus = null;
    }

    /// <summary>Starts the bus (again) at the same address.</summary>
    public async Task StartBusAsync()
    {
        string socket = Path.Combine(_folder!, "system_bus_socket");
        File.Delete(socket);
        var start = new ProcessStartInfo(DaemonPath, ["--config-file=" + Path.Combine(_folder!, "bus.conf"), "--nofork", "--print-address"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _bus = Process.Start(start) ?? throw new InvalidOperationException("dbus-daemon did not start");
        // It prints its address once the socket listens.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        string? line = await _bus.StandardOutput.ReadLineAsync(timeout.Token);
        if (string.IsNullOrEmpty(line))
            throw new InvalidOperationException($"dbus-daemon printed no address: {await _bus.StandardError.ReadToEndAsync(timeout.Token)}");
        BusAddress = $"unix:path={socket}";
        // The daemon keeps writing to stderr (its fd limit, ...): drain it so it never blocks.
        _bus.ErrorDataReceived += (_, _) => { };
        _bus.BeginErrorReadLine();
    }

    /// <summary>Polls the bus, within a deadline, until networkd owns its name on it (again).</summary>
    public async Task WaitForNetworkdAsync(Func<string>? output = null)
    {
        var deadline = Stopwatch.StartNew();
        Exception? last = null;
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_networkd!.HasExited)
                throw new InvalidOperationException($"systemd-networkd exited with {_networkd.ExitCode}: {output?.Invoke()}");
            try
            {
                using var connection = await DBusConnector.ConnectAsync(BusAddress!);
                if ((await connection.ListServicesAsync()).Contains(NetworkdManagerProxy.ServiceName)) return;
            }
            catch (Exception e) when (e is DBusConnectionException or TimeoutException)
            {
                last = e;
            }
            await Task.Delay(100);
        }
        throw new InvalidOperationException($"systemd-networkd did not appear on {BusAddress} within 30 s ({last?.Message}): {output?.Invoke()}");
    }

    /// <summary>The bus, or a skip (a failure when CI=true, where everything must be there).</summary>
    public string RequireBus() => BusAddress ?? throw Peers.SkipOrFail(Unavailable ?? "systemd-networkd did not start");

    private static string? MissingPrerequisite()
    {
        if (!OperatingSystem.IsLinux()) return "systemd-networkd runs on Linux only";
        if (!Environment.IsPrivilegedProcess) return "needs root: it creates a network namespace and mounts for systemd-networkd";
        if (!File.Exists(NetworkdPath)) return $"{NetworkdPath} is missing (Debian package 'systemd')";
        if (!File.Exists(DaemonPath)) return $"{DaemonPath} is missing (Debian package 'dbus'; tools/deps.sh installs it)";
        if (!File.Exists(UnsharePath)) return $"{UnsharePath} is missing (Debian package 'util-linux')";
        if (Peers.Find("ip") is null) return "ip is missing (Debian package 'iproute2'; tools/deps.sh installs it)";
        if (!Directory.Exists("/etc/systemd/network")) return "/etc/systemd/network is missing (Debian package 'systemd')";
        return null;
    }

    private static async Task<string> RunAsync(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}");
        return await stdout;
    }

    public async ValueTask DisposeAsync()
    {
        await StopNetworkdAsync();
        await StopBusAsync();
        if (_namespace is not null) await RunAsync("ip", "netns", "delete", _namespace);
        _namespace = null;
        if (_folder is not null && Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        _folder = null;
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
