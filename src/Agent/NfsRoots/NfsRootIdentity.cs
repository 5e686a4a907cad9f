using System.Security.Cryptography;
using System.Text;

namespace NetbootPi.Agent.NfsRoots;

/// <summary>
/// What makes a copied root one host's own: <c>/etc/hostname</c>, an <c>/etc/fstab</c> without the template's local
/// disks, and a machine-id of its own (two machines with one id share DHCP client ids, journal ids and D-Bus ids).
/// </summary>
public static class NfsRootIdentity
{
    private const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>systemd keeps machine-id read-only (0444).</summary>
    private const UnixFileMode ReadOnly = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Writes the host's identity into the root at <paramref name="root"/> (not yet exported: nobody else writes there).</summary>
    /// <exception cref="NfsRootException">The root has no real <c>etc</c> directory.</exception>
    public static void Write(string root, string hostName)
    {
        var etc = Path.Combine(root, "etc");
        var info = new DirectoryInfo(etc);
        // A template's etc that is a link would have us write wherever it points, as root, on the box.
        if (!info.Exists || info.LinkTarget is not null)
            throw new NfsRootException($"{etc} is not a directory: the template is not a root file system (expected a copy of an installed system, with /etc)");
        Replace(Path.Combine(etc, "hostname"), hostName + "\n");
        var fstab = Path.Combine(etc, "fstab");
        Replace(fstab, Fstab(hostName, File.Exists(fstab) && new FileInfo(fstab).LinkTarget is null ? File.ReadAllText(fstab) : null));
        var machineId = NewMachineId() + "\n";
        Replace(Path.Combine(etc, "machine-id"), machineId, ReadOnly);
        // D-Bus's own copy: a link to /etc/machine-id on current systems (left as it is), a file of its own on old ones.
        var dbus = new FileInfo(Path.Combine(root, "var", "lib", "dbus", "machine-id"));
        if (dbus.Exists && dbus.LinkTarget is null) Replace(dbus.FullName, machineId, ReadOnly);
    }

    /// <summary>
    /// The template's fstab with every local disk taken out (block devices, UUID=, LABEL=, PARTUUID=, PARTLABEL=, swap,
    /// and whatever mounts /): the kernel mounts the root over NFS, and the template's disks are not this machine's.
    /// What is left (tmpfs, proc, NFS and bind mounts) stays; what went is kept as a comment.
    /// </summary>
    public static string Fstab(string hostName, string? template)
    {
        var w = new StringBuilder();
        w.Append("# /etc/fstab of ").Append(hostName).Append(", written by 'netbootpi nfsroot create'.\n");
        w.Append("# The root is mounted over NFS by the kernel (root=/dev/nfs); the template's local disks are commented out.\n");
        foreach (var line in (template ?? "").Split('\n'))
        {
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0 || fields[0].StartsWith('#'))
            {
                if (line.Length > 0 && !line.StartsWith("# /etc/fstab", StringComparison.Ordinal)) w.Append(line).Append('\n');
                continue;
            }
            if (IsLocalDisk(fields)) w.Append("# netbootpi: not this machine's disk: ").Append(line.Trim()).Append('\n');
            else w.Append(line).Append('\n');
        }
        return w.ToString();
    }

    private static bool IsLocalDisk(string[] fields)
    {
        var device = fields[0];
        if (device.StartsWith("/dev/", StringComparison.Ordinal)) return true;
        foreach (var tag in (ReadOnlySpan<string>)["UUID=", "LABEL=", "PARTUUID=", "PARTLABEL=", "ID="])
            if (device.StartsWith(tag, StringComparison.OrdinalIgnoreCase)) return true;
        return (fields.Length > 1 && fields[1] == "/") || (fields.Length > 2 && fields[2] == "swap");
    }

    /// <summary>128 random bits as 32 lowercase hex digits (machine-id(5)).</summary>
    public static string NewMachineId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Writes a new file in place of whatever is at <paramref name="path"/>, a link included (never through it).</summary>
    private static void Replace(string path, string content, UnixFileMode mode = Readable)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("NFS roots are made on Linux");
        File.Delete(path);
        using var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = mode,
        });
        file.Write(Encoding.UTF8.GetBytes(content));
    }
}
