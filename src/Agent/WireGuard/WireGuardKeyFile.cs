using System.Text;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Os.Users;

namespace NetbootPi.Agent.WireGuard;

/// <summary>
/// The box's own private key for a WireGuard interface, in a file in the state directory
/// (<c>STATE_DIR/wireguard/INTERFACE.key</c>, base64 as <c>wg genkey</c> writes it): made the first time it is
/// needed, never written to the site file, never printed. systemd-networkd reads it itself
/// (<c>PrivateKeyFile=</c>, as user systemd-network), so where that group exists the file is 0640
/// root:systemd-network and its folder 0750 root:systemd-network; elsewhere both are the owner's alone.
/// </summary>
public static class WireGuardKeyFile
{
    /// <summary>The group systemd-networkd runs as.</summary>
    public const string NetworkdGroup = "systemd-network";

    /// <summary>Where the key of <paramref name="interfaceName"/> lives under <paramref name="stateDirectory"/>.</summary>
    public static string PathFor(string stateDirectory, string interfaceName) =>
        Path.Combine(stateDirectory, "wireguard", interfaceName + ".key");

    /// <summary>The key at <paramref name="path"/>, made (atomically, with its final mode from the start) when there is none.</summary>
    /// <exception cref="InvalidDataException">The file is there but holds no key; the message names it.</exception>
    public static WireGuardSecret LoadOrCreate(string path, IAtomicFiles files, string groupFile = "/etc/group")
    {
        if (Load(path) is { } existing) return existing;
        var gid = UnixGroups.IdOf(NetworkdGroup, groupFile);
        var directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory) && !OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory, gid is null
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
            if (gid is { } g) UnixOwnership.SetGroup(directory, g);
        }
        var key = WireGuardSecret.NewPrivateKey();
        Write(path, key, files, gid);
        return key;
    }

    /// <summary>
    /// Writes <paramref name="secret"/> (a private or preshared key) to <paramref name="path"/> as networkd reads
    /// it: 0640 root:systemd-network where that group exists, 0600 otherwise.
    /// </summary>
    public static void Write(string path, WireGuardSecret secret, IAtomicFiles files, string groupFile = "/etc/group") =>
        Write(path, secret, files, UnixGroups.IdOf(NetworkdGroup, groupFile));

    private static void Write(string path, WireGuardSecret secret, IAtomicFiles files, uint? gid)
    {
        var mode = gid is null ? UnixFileMode.UserRead | UnixFileMode.UserWrite : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        files.Write(path, Encoding.ASCII.GetBytes(secret.RevealBase64() + "\n"), mode);
        // The group is set after the rename: until then only the owner could read it, never anyone more.
        if (gid is { } group) UnixOwnership.SetGroup(path, group);
    }

    /// <summary>The key at <paramref name="path"/>; null when there is no file.</summary>
    /// <exception cref="InvalidDataException">The file is there but holds no key.</exception>
    public static WireGuardSecret? Load(string path)
    {
        if (!File.Exists(path)) return null;
        var text = File.ReadAllText(path);
        return WireGuardSecret.Parse(text)
            ?? throw new InvalidDataException($"{path}: not a WireGuard private key (expected one line of base64 as 'wg genkey' writes it); move it away to have a new key made, and give every peer the new public key");
    }
}
