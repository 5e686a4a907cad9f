namespace NetbootPi.Agent.Events;

/// <summary>What a boot-time fetch was for.</summary>
public enum BootEventKind { Script, Kernel, Initrd, Modloop, Overlay, OverlayUpload, Keys, File, Dhcp, Power, Recovery, Console, Audit, Image, Alert, Kvm, Backup, Capture, Install }

/// <summary>
/// One fetch by a booting machine: when, from where, for what, and how it ended.
/// <paramref name="Host"/> is the host's name, or its MAC when the site does not know it, or null when the
/// request names no machine and the client address matches no host. A completed DHCP exchange (DISCOVER, OFFER,
/// REQUEST, ACK) is a <see cref="BootEventKind.Dhcp"/> event: the client is the leased address, the path the
/// network's name, status and bytes 0. A power action (<c>netbootpi power</c>) is a <see cref="BootEventKind.Power"/>
/// event: the client is who asked (<c>cli:USER</c>), the path the action and its outcome, status 0 when it did what
/// was asked and 1 when not, bytes 0. A step of the box's recovery of a host is a <see cref="BootEventKind.Recovery"/>
/// event: the client is <c>recovery</c>, the path the sentence, status 1 when the host was marked failed. The box
/// starting or losing a host's serial console is a <see cref="BootEventKind.Console"/> event (client <c>console</c>,
/// status 1 when lost); the console's lines are in its own log (<c>netbootpi console HOST</c>). A change asked of the
/// control API is an <see cref="BootEventKind.Audit"/> event: the client is who (<c>uid:0</c>, <c>user:alice</c>,
/// <c>token:ID</c>), the path <c>METHOD PATH (from where)</c>, the status the HTTP status it ended with. An image added to or
/// removed from the catalog is an <see cref="BootEventKind.Image"/> event: the client is who asked (<c>uid:0</c>,
/// <c>user:NAME</c>, <c>token:ID</c>), no host, the path the sentence, status 0 when done and 1 when not, the bytes kept. What an operator must
/// hear about (a host marked failed, a refused site file, another DHCP server) is an <see cref="BootEventKind.Alert"/>
/// event: the client is <c>alerts</c>, the host the one it is about (or null), the path <c>KIND: sentence</c>, status 1
/// (0 for <c>netbootpi alerts test</c>); the webhooks get it too (docs/alerts.md). The console host's
/// virtual media and keyboard (<c>kvm:</c>) are <see cref="BootEventKind.Kvm"/> events: the client who asked
/// (<c>uid:0</c>, <c>token:...</c>) or <c>kvm</c> for the USB state, the path what was done (never the text typed),
/// status 1 when it failed. The console host's screen capture (<c>kvm.capture</c>) is a <see cref="BootEventKind.Capture"/>
/// event: its start and stop with who asked, and each snapshot taken into the events (client <c>capture</c>, the path
/// <c>snapshot NAME: why</c> naming the JPEG kept in <c>DATA_DIR/snapshots/</c>, the bytes its size), status 1 when it failed.
/// An unattended install's steps are <see cref="BootEventKind.Install"/> events: each fetch of a host's install file
/// and its completion call (client the address, the path, the HTTP status), and what the box's record of the install
/// did (client <c>install</c> or who asked for a reinstall, the path the sentence).
/// </summary>
public sealed record BootEvent(DateTimeOffset Time, string Client, string? Host, BootEventKind Kind, string Path, int Status, long Bytes)
{
    public static string KindName(BootEventKind kind) => kind switch
    {
        BootEventKind.Script => "script",
        BootEventKind.Kernel => "kernel",
        BootEventKind.Initrd => "initrd",
        BootEventKind.Modloop => "modloop",
        BootEventKind.Overlay => "overlay",
        BootEventKind.OverlayUpload => "overlay-upload",
        BootEventKind.Keys => "keys",
        BootEventKind.Dhcp => "dhcp",
        BootEventKind.Power => "power",
        BootEventKind.Recovery => "recovery",
        BootEventKind.Console => "console",
        BootEventKind.Audit => "audit",
        BootEventKind.Image => "image",
        BootEventKind.Alert => "alert",
        BootEventKind.Kvm => "kvm",
        BootEventKind.Backup => "backup",
        BootEventKind.Capture => "capture",
        BootEventKind.Install => "install",
        _ => "file",
    };

    public static BootEventKind? ParseKind(string name) => name switch
    {
        "script" => BootEventKind.Script,
        "kernel" => BootEventKind.Kernel,
        "initrd" => BootEventKind.Initrd,
        "modloop" => BootEventKind.Modloop,
        "overlay" => BootEventKind.Overlay,
        "overlay-upload" => BootEventKind.OverlayUpload,
        "keys" => BootEventKind.Keys,
        "file" => BootEventKind.File,
        "dhcp" => BootEventKind.Dhcp,
        "power" => BootEventKind.Power,
        "recovery" => BootEventKind.Recovery,
        "console" => BootEventKind.Console,
        "audit" => BootEventKind.Audit,
        "image" => BootEventKind.Image,
        "alert" => BootEventKind.Alert,
        "kvm" => BootEventKind.Kvm,
        "backup" => BootEventKind.Backup,
        "capture" => BootEventKind.Capture,
        "install" => BootEventKind.Install,
        _ => null,
    };

    /// <summary>Guesses the kind of an artifact from its file name, as Alpine and most distributions name them.</summary>
    public static BootEventKind KindOfFile(string path)
    {
        var name = System.IO.Path.GetFileName(path);
        if (name.StartsWith("vmlinuz", StringComparison.Ordinal) || name.StartsWith("bzImage", StringComparison.Ordinal)
            || name is "linux" or "kernel" or "Image") return BootEventKind.Kernel;
        if (name.StartsWith("initrd", StringComparison.Ordinal) || name.StartsWith("initramfs", StringComparison.Ordinal)
            || name.EndsWith("ucode.img", StringComparison.Ordinal)) return BootEventKind.Initrd;
        if (name.StartsWith("modloop", StringComparison.Ordinal)) return BootEventKind.Modloop;
        return BootEventKind.File;
    }

    /// <summary>One line for <c>netbootpi events</c>.</summary>
    public override string ToString() =>
        $"{Time.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ} {Client} {Host ?? "-"} {KindName(Kind)} {Status} {Bytes} {Path}";
}
