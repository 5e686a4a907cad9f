using System.Globalization;
using System.Text;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Render.Capture;

/// <summary>
/// The console host's capture as a transient systemd unit: ustreamer's command line from <c>kvm.capture</c> and the
/// sandbox it runs in. A pure function of the settings; <see cref="Text"/> writes it as a unit file would, for the
/// golden files and for people.
/// </summary>
/// <remarks>
/// Transient (StartTransientUnit over D-Bus) rather than a unit file plus daemon-reload: the agent's own unit runs
/// under ProtectSystem=strict, which leaves no unit directory writable, and a daemon-reload re-reads every unit of
/// the box (seconds on a Pi) for one process's flags. A transient unit has no file to go stale: it is made with its
/// properties, started in the same call, and gone once it stops (CollectMode=inactive-or-failed also collects a
/// failed one), so the box never starts a capture nobody asked for after a crash or a reboot.
/// </remarks>
public static class UstreamerUnit
{
    public const string UnitName = "netbootpi-capture.service";

    /// <summary>ustreamer's folder under /run (its RuntimeDirectory, made for the unit's dynamic user).</summary>
    public const string RuntimeDirectory = "netbootpi/capture";

    public const string SocketPath = "/run/" + RuntimeDirectory + "/ustreamer.sock";

    public const string DefaultProgram = "/usr/bin/ustreamer";

    /// <summary>ustreamer's argv (its own path first) for <paramref name="capture"/>, serving on <see cref="SocketPath"/>.</summary>
    public static IReadOnlyList<string> Arguments(CaptureSettings capture, string program = DefaultProgram)
    {
        var args = new List<string>
        {
            program,
            "--device", capture.Device,
            "--input", capture.Input.ToString(CultureInfo.InvariantCulture),
            "--resolution", $"{capture.Width}x{capture.Height}",
            "--format", capture.Format.ToUpperInvariant(),
        };
        // A stick that sends MJPEG is passed through, not decoded and encoded again on the Pi's CPU.
        if (capture.Format is "mjpeg" or "jpeg") args.AddRange(["--encoder", "HW"]);
        if (capture.Fps is { } fps) args.AddRange(["--desired-fps", fps.ToString(CultureInfo.InvariantCulture)]);
        // An HDMI receiver tells the source's mode as DV timings; ustreamer follows it through mode changes.
        if (capture.DvTimings) args.Add("--dv-timings");
        args.AddRange([
            // A host that is off gives no signal: keep the device open and wait, as PiKVM does, instead of reopening it every second.
            "--persistent",
            // Without a viewer, one frame a second is enough for snapshots and spares the Pi's CPU.
            "--slowdown",
            "--unix", SocketPath, "--unix-rm", "--unix-mode", "660",
        ]);
        return args;
    }

    /// <summary>The transient unit's properties: ustreamer in a sandbox with the one device, no network and no privileges.</summary>
    public static IReadOnlyList<UnitProperty> Properties(CaptureSettings capture, string host, string program = DefaultProgram) =>
    [
        UnitProperty.String("Description", $"NetbootPi console capture of {host}: ustreamer on {capture.Device}"),
        UnitProperty.Exec("ExecStart", program, Arguments(capture, program)),
        UnitProperty.String("Restart", "on-failure"),
        UnitProperty.UInt64("RestartUSec", 2_000_000, "2s"),
        UnitProperty.String("CollectMode", "inactive-or-failed"),
        // A user made for the unit's lifetime, in the video group (the device node's group) and nothing else.
        UnitProperty.Bool("DynamicUser", true),
        UnitProperty.Strings("SupplementaryGroups", "video"),
        UnitProperty.String("DevicePolicy", "closed"),
        UnitProperty.DeviceAllow((capture.Device, "rw")),
        // It serves on a unix socket only: no network namespace to speak of, and no other address family.
        UnitProperty.Bool("PrivateNetwork", true),
        UnitProperty.AllowList("RestrictAddressFamilies", true, "AF_UNIX"),
        UnitProperty.Strings("RuntimeDirectory", RuntimeDirectory),
        UnitProperty.UInt32("RuntimeDirectoryMode", Convert.ToUInt32("750", 8), "0750"),
        UnitProperty.UInt32("UMask", Convert.ToUInt32("077", 8), "0077"),
        UnitProperty.UInt64("CapabilityBoundingSet", 0, ""),
        UnitProperty.Bool("NoNewPrivileges", true),
        UnitProperty.String("ProtectSystem", "strict"),
        UnitProperty.String("ProtectHome", "yes"),
        UnitProperty.Bool("PrivateTmp", true),
        UnitProperty.Bool("ProtectKernelTunables", true),
        UnitProperty.Bool("ProtectKernelModules", true),
        UnitProperty.Bool("ProtectKernelLogs", true),
        UnitProperty.Bool("ProtectControlGroups", true),
        UnitProperty.Bool("ProtectClock", true),
        UnitProperty.Bool("ProtectHostname", true),
        // The namespaces it may create: none.
        UnitProperty.UInt64("RestrictNamespaces", 0, "yes"),
        UnitProperty.Bool("LockPersonality", true),
        UnitProperty.Bool("MemoryDenyWriteExecute", true),
        UnitProperty.Bool("RestrictRealtime", true),
        UnitProperty.Bool("RestrictSUIDSGID", true),
        UnitProperty.Strings("SystemCallArchitectures", "native"),
        UnitProperty.AllowList("SystemCallFilter", true, "@system-service"),
    ];

    /// <summary>The unit as a unit file would read (<c>systemctl cat</c> shows no file for a transient unit: this is what it is made of).</summary>
    public static string Text(IReadOnlyList<UnitProperty> properties)
    {
        var s = new StringBuilder();
        s.Append("# ").Append(UnitName).Append(" (transient: started over D-Bus by the agent)\n");
        foreach (var p in properties) s.Append(p).Append('\n');
        return s.ToString();
    }
}
