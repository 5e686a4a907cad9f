using System.Diagnostics;
using NetbootPi.Protocols.DBus;

namespace NetbootPi.Protocols.Tests.DBus;

/// <summary>
/// A private dbus-daemon with a session-style configuration, listening on a unix socket in a temp folder; killed
/// and its folder removed when the tests are done.
/// </summary>
public sealed class DBusDaemonFixture : IAsyncLifetime
{
    private const string DaemonPath = "/usr/bin/dbus-daemon";
    private Process? _daemon;
    private string? _folder;

    /// <summary>The daemon's address; null when it could not be started (see <see cref="Unavailable"/>).</summary>
    public DBusAddress? Address { get; private set; }

    /// <summary>The Linux abstract socket name the daemon also listens on.</summary>
    public string AbstractName { get; } = $"netbootpi-test-{Guid.NewGuid():N}";

    /// <summary>Why the daemon is not running, for the skip message.</summary>
    public string? Unavailable { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(DaemonPath))
        {
            Unavailable = $"{DaemonPath} is missing: install the Debian package 'dbus' (tools/deps.sh does)";
            return;
        }
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

    private async Task StartAsync()
    {
        _folder = Directory.CreateTempSubdirectory("netbootpi-dbus-").FullName;
        string config = Path.Combine(_folder, "session.conf");
        await File.WriteAllTextAsync(config, $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
             "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>session</type>
              <listen>unix:path={_folder}/bus</listen>
              <listen>unix:abstract={AbstractName}</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow send_destination="*" eavesdrop="true"/>
                <allow eavesdrop="true"/>
                <allow own="*"/>
              </policy>
            </busconfig>
            """);
        var start = new ProcessStartInfo(DaemonPath, ["--config-file=" + config, "--nofork", "--print-address"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _daemon = Process.Start(start) ?? throw new InvalidOperationException("dbus-daemon did not start");
        // It prints its address once the socket listens.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        string? line = await _daemon.StandardOutput.ReadLineAsync(timeout.Token);
        if (string.IsNullOrEmpty(line))
        {
            string error = await _daemon.StandardError.ReadToEndAsync(timeout.Token);
            throw new InvalidOperationException($"dbus-daemon printed no address: {error}");
        }
        Address = DBusAddress.Parse(line.Trim());
    }

    public async ValueTask DisposeAsync()
    {
        if (_daemon is { HasExited: false })
        {
            _daemon.Kill();
            await _daemon.WaitForExitAsync();
        }
        _daemon?.Dispose();
        _daemon = null;
        if (_folder is not null && Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        _folder = null;
    }

    /// <summary>The address, or a skip (a failure when CI=true, where the daemon must be there).</summary>
    public DBusAddress RequireAddress() => Address ?? throw Peers.SkipOrFail(Unavailable ?? "no dbus-daemon");
}
