using System.Diagnostics;
using System.Runtime.InteropServices;
using NetbootPi.Agent.Os.DBus;
using Tmds.DBus.Protocol;

namespace NetbootPi.Agent.Tests.Os.Systemd;

/// <summary>
/// A real <c>systemd --user</c> manager of its own, in a private mount namespace with a tmpfs on /run/systemd
/// (systemd refuses to run a user manager unless /run/systemd/system says PID 1 is systemd), in cgroups of its
/// own, with its unit files, runtime folder and user bus under a temp folder. Dispose stops it, kills whatever is
/// left in its cgroups, and removes them, also after a failed start.
/// </summary>
public sealed class SystemdUserManagerFixture : IAsyncLifetime
{
    private const string SystemdPath = "/lib/systemd/systemd";
    private const string UnsharePath = "/usr/bin/unshare";
    private const string DBusUserSocketUnit = "/usr/lib/systemd/user/dbus.socket";
    private const int SIGTERM = 15, SIGKILL = 9;

    private readonly string _cgroupName = $"netbootpi-test-{Environment.ProcessId}-{Guid.NewGuid():N}"[..48];
    private readonly List<string> _cgroups = [];
    private Process? _manager;
    private string? _folder;

    /// <summary>Why the manager is not running, for the skip message.</summary>
    public string? Unavailable { get; private set; }

    /// <summary>
    /// The manager's user bus ($XDG_RUNTIME_DIR/bus, a dbus-daemon systemd starts through dbus.socket on the first
    /// connection); null when the manager is not running.
    /// </summary>
    public string? BusAddress { get; private set; }

    /// <summary>Where unit files go ($XDG_CONFIG_HOME/systemd/user).</summary>
    public string UnitFolder => Path.Combine(_folder!, "config", "systemd", "user");

    /// <summary>A scratch folder the tests' units may write to.</summary>
    public string ScratchFolder => Path.Combine(_folder!, "scratch");

    public async ValueTask InitializeAsync()
    {
        Unavailable = OperatingSystem.IsLinux() ? MissingPrerequisite() : "systemd runs on Linux only";
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
        _folder = Directory.CreateTempSubdirectory("netbootpi-systemd-").FullName;
        string runtime = Path.Combine(_folder, "runtime");
        Directory.CreateDirectory(runtime, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(UnitFolder);
        Directory.CreateDirectory(ScratchFolder);

        // cgroup v1 hybrid (the name=systemd hierarchy plus the unified one), or a pure cgroup v2 mount.
        _cgroups.AddRange(File.Exists("/sys/fs/cgroup/cgroup.controllers")
            ? [Path.Combine("/sys/fs/cgroup", _cgroupName)]
            : [Path.Combine("/sys/fs/cgroup/systemd", _cgroupName), Path.Combine("/sys/fs/cgroup/unified", _cgroupName)]);
        foreach (var cgroup in _cgroups) Directory.CreateDirectory(cgroup);

        string joinCgroups = string.Concat(_cgroups.Select(c => $"echo $$ > {c}/cgroup.procs; "));
        var start = new ProcessStartInfo(UnsharePath,
            ["-m", "--propagation", "private", "sh", "-c",
             $"mount -t tmpfs tmpfs /run/systemd && mkdir /run/systemd/system && {joinCgroups}exec {SystemdPath} --user"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["XDG_RUNTIME_DIR"] = runtime;
        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(_folder, "config");
        start.Environment["HOME"] = _folder;
        start.Environment.Remove("DBUS_SESSION_BUS_ADDRESS");
        _manager = Process.Start(start) ?? throw new InvalidOperationException("unshare did not start");
        var output = new System.Text.StringBuilder();
        _manager.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        _manager.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        _manager.BeginOutputReadLine();
        _manager.BeginErrorReadLine();

        BusAddress = $"unix:path={runtime}/bus";
        await WaitForSystemdOnTheBusAsync(() => { lock (output) return output.ToString(); });
    }

    // Readiness of an outside process: poll its socket, then the bus for systemd's name, within a deadline.
    private async Task WaitForSystemdOnTheBusAsync(Func<string> output)
    {
        var deadline = Stopwatch.StartNew();
        Exception? last = null;
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_manager!.HasExited)
                throw new InvalidOperationException($"systemd --user exited with {_manager.ExitCode}: {output()}");
            if (File.Exists(BusAddress!["unix:path=".Length..]))
            {
                try
                {
                    // systemd is ready once it owns its name on the bus.
                    if (await HasSystemdAsync(BusAddress)) return;
                }
                catch (Exception e) when (e is DBusConnectionException or TimeoutException)
                {
                    last = e;
                }
            }
            await Task.Delay(100);
        }
        throw new InvalidOperationException($"systemd --user did not appear on {BusAddress} within 30 s ({last?.Message}): {output()}");
    }

    private static string? MissingPrerequisite()
    {
        if (!Environment.IsPrivilegedProcess) return "needs root: it creates cgroups and a mount namespace for systemd --user";
        if (!File.Exists(SystemdPath)) return $"{SystemdPath} is missing (Debian package 'systemd')";
        if (!File.Exists(UnsharePath)) return $"{UnsharePath} is missing (Debian package 'util-linux')";
        if (!Directory.Exists("/sys/fs/cgroup/systemd") && !File.Exists("/sys/fs/cgroup/cgroup.controllers"))
            return "no cgroup hierarchy systemd can use at /sys/fs/cgroup";
        if (!File.Exists(DBusUserSocketUnit))
            return $"{DBusUserSocketUnit} is missing: the user bus needs the Debian package 'dbus-user-session' (tools/deps.sh installs it)";
        return null;
    }

    /// <summary>The user bus systemd is on, or a skip (a failure when CI=true, where everything must be there).</summary>
    public string RequireBus() => BusAddress ?? throw Peers.SkipOrFail(Unavailable ?? "systemd --user did not start");

    public void WriteUnit(string name, string content) => File.WriteAllText(Path.Combine(UnitFolder, name), content);

    /// <summary>
    /// A oneshot unit whose start job runs until the test lets it finish: its ExecStart creates
    /// <c>Started</c>, then waits for <c>Go</c> to exist.
    /// </summary>
    public (string Started, string Go) WriteBlockingUnit(string name)
    {
        string started = Path.Combine(ScratchFolder, name + ".started"), go = Path.Combine(ScratchFolder, name + ".go");
        WriteUnit(name, $"""
            [Service]
            Type=oneshot
            RemainAfterExit=yes
            ExecStart=/bin/sh -c 'touch {started}; while [ ! -e {go} ]; do sleep 0.1; done'
            """);
        return (started, go);
    }

    /// <summary>Ends the user bus's dbus-daemon (SIGTERM), as a bus restart does; systemd keeps its socket and starts a new one on the next connection.</summary>
    public void StopBusDaemon()
    {
        var pids = BusDaemonProcesses();
        if (pids.Count == 0) throw new InvalidOperationException("no dbus-daemon in the user manager's dbus.service");
        foreach (var pid in pids) _ = kill(pid, SIGTERM);
    }

    /// <summary>The processes in a unit's cgroup (below app.slice, where user units run).</summary>
    public IReadOnlyList<int> ProcessesOf(string unit) => ProcessesIn(Path.Combine(_cgroups[0], "app.slice", unit));

    /// <summary>The user bus's dbus-daemon: the processes of dbus.service, in whichever slice its unit puts it.</summary>
    public IReadOnlyList<int> BusDaemonProcesses() =>
        Directory.EnumerateDirectories(_cgroups[0], "dbus.service", SearchOption.AllDirectories).SelectMany(ProcessesIn).ToList();

    /// <summary>Whether systemd owns its name on <paramref name="bus"/> now (a new connection asks the bus).</summary>
    public static async Task<bool> HasSystemdAsync(string bus)
    {
        using var connection = await DBusConnector.ConnectAsync(bus);
        return (await connection.ListServicesAsync()).Contains(SystemdManagerProxy.ServiceName);
    }

    private static List<int> ProcessesIn(string cgroup)
    {
        string procs = Path.Combine(cgroup, "cgroup.procs");
        return File.Exists(procs) ? File.ReadAllLines(procs).Where(l => l.Length > 0).Select(int.Parse).ToList() : [];
    }

    public async ValueTask DisposeAsync()
    {
        if (_manager is not null)
        {
            // SIGTERM lets the manager stop its units; SIGKILL only if it does not go.
            if (!_manager.HasExited) _ = kill(_manager.Id, SIGTERM);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _manager.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _manager.Kill(entireProcessTree: true);
                await _manager.WaitForExitAsync();
            }
            _manager.Dispose();
            _manager = null;
        }
        foreach (var cgroup in _cgroups) await RemoveCgroupAsync(cgroup);
        _cgroups.Clear();
        if (_folder is not null && Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        _folder = null;
    }

    // Anything still in the manager's cgroups is ours: kill it, then remove the folders deepest first.
    private static async Task RemoveCgroupAsync(string root)
    {
        if (!Directory.Exists(root)) return;
        for (int round = 0; round < 50; round++)
        {
            var pids = Directory.EnumerateFiles(root, "cgroup.procs", SearchOption.AllDirectories)
                .SelectMany(f => File.ReadAllLines(f)).Where(l => l.Length > 0).Select(int.Parse).ToList();
            if (pids.Count == 0) break;
            foreach (var pid in pids) _ = kill(pid, SIGKILL);
            await Task.Delay(100);
        }
        foreach (var dir in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length))
            Directory.Delete(dir);
        Directory.Delete(root);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
