using NetbootPi.Agent.Os.Tools;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.NfsRoots;

/// <summary>
/// Hosts' NFS roots on the box: made from a template (a directory or a tarball of an installed system), listed,
/// removed. A root appears at its path only complete: it is copied into a hidden directory beside the path and
/// renamed into place in one step, so an export of that path never shows a half copy.
/// </summary>
/// <remarks>
/// The copy is the system's own tools, run as root: <c>cp -a</c> for a directory, <c>tar</c> for a tarball, both
/// keeping owners by number (the template's uids, not the box's names), modes with setuid/setgid bits, hard links,
/// symlinks, device nodes, ACLs and every extended attribute (file capabilities are <c>security.capability</c>).
/// </remarks>
public sealed class NfsRootStore(IToolRunner tools, TimeProvider time)
{
    /// <summary>How long one copy may take: a root is gigabytes, on an SD card or USB disk.</summary>
    public static readonly TimeSpan CopyTimeout = TimeSpan.FromHours(6);

    /// <summary>How often a running copy reports how far it got.</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    private const string NewMarker = ".netbootpi-new-";
    private const string OldMarker = ".netbootpi-old-";

    /// <summary>The per-host NFS roots <paramref name="host"/> boots (one per per-host NFS-root profile it can boot).</summary>
    public static IReadOnlyList<string> RootsOf(SiteInventory site, HostEntry host)
    {
        var binding = site.Resolve(host.Mac);
        if (binding.Profile is not { } profile) return [];
        var profiles = profile.Kind == ProfileKind.Menu ? profile.MenuItems.Select(site.FindProfile).OfType<BootProfile>() : [profile];
        return profiles.Where(p => p.NfsRoot is not null && p.NfsRootMode == NfsRootMode.PerHost)
            .Select(p => binding.ExpandPlaceholders(p.NfsRoot!)).Distinct().ToList();
    }

    /// <summary>
    /// Copies <paramref name="from"/> to <paramref name="target"/> and makes it <paramref name="hostName"/>'s; tells
    /// <paramref name="progress"/> what it is doing.
    /// </summary>
    /// <exception cref="NfsRootException">Nothing was created: the target exists, the template is not a root, or the copy failed.</exception>
    public async Task CreateAsync(string target, string hostName, string from, Action<string> progress, CancellationToken cancellationToken = default)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("NFS roots are made on Linux");
        if (Exists(target)) throw new NfsRootException($"{target} already exists (remove it first: netbootpi nfsroot remove {hostName})");
        var isDirectory = Directory.Exists(from);
        if (!isDirectory && !File.Exists(from))
            throw new NfsRootException($"the template {from} does not exist (expected a directory holding an installed system, or a tarball of one)");
        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        foreach (var stale in Leftovers(target))
        {
            progress($"removing {stale}, left by an interrupted create or remove");
            await DeleteTreeAsync(stale, cancellationToken).ConfigureAwait(false);
        }

        var temp = Path.Combine(parent, $".{Path.GetFileName(target)}{NewMarker}{Guid.NewGuid():N}"[..^24]);
        Directory.CreateDirectory(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var done = false;
        try
        {
            TreeSize? size = isDirectory ? TreeSize.Of(from) : null;
            progress($"copying {from} ({(size is { } sz ? sz.ToString() : $"an archive of {TreeSize.Mib(new FileInfo(from).Length)}")}) into {temp}");
            var started = time.GetTimestamp();
            var copy = isDirectory
                // -T: temp is the copy of the template's top directory (its mode and owner too), not a folder inside it.
                // --preserve=xattr as well as -a: an attribute that cannot be copied fails the copy instead of being dropped.
                // -x: a file system mounted inside the template (a chroot's /proc, /dev, /sys) is not part of it.
                // tar: --force-local, so that a ':' in the archive's name never makes it a remote tape.
                ? new ToolCall("cp", "-a", "--preserve=xattr", "-x", "-T", "--", from, temp) { Timeout = CopyTimeout }
                : new ToolCall("tar", "--extract", "--force-local", "--file", from, "--directory", temp, "--preserve-permissions", "--same-owner",
                    "--numeric-owner", "--xattrs", "--xattrs-include=*", "--acls") { Timeout = CopyTimeout };
            // What the copy has made so far, every few seconds (the tools print nothing while they work).
            var timer = time.CreateTimer(_ => progress($"  {TreeSize.Of(temp)} so far{(size is { } total ? $" of {total.Bytes / 1048576.0:0.0} MiB" : "")}"),
                null, ProgressInterval, ProgressInterval);
            try
            {
                (await tools.RunAsync(copy, cancellationToken).ConfigureAwait(false)).ThrowIfFailed();
            }
            finally
            {
                // Waits for a report under way, so none comes after the copy's end.
                await timer.DisposeAsync().ConfigureAwait(false);
            }
            progress($"copied {TreeSize.Of(temp)} in {time.GetElapsedTime(started).TotalSeconds:0.0} s; writing /etc/hostname, /etc/fstab and /etc/machine-id for {hostName}");
            NfsRootIdentity.Write(temp, hostName);
            // rename(2): the complete root appears at its path in one step.
            Directory.Move(temp, target);
            done = true;
            progress($"{target} is {hostName}'s root");
        }
        catch (ToolException e)
        {
            throw new NfsRootException($"copying {from} failed: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NfsRootException($"creating {target} failed: {e.Message}", e);
        }
        finally
        {
            if (!done) await DeleteQuietlyAsync(temp).ConfigureAwait(false);
        }
    }

    /// <summary>Takes <paramref name="target"/> away from its path in one step (a rename), then deletes it.</summary>
    public async Task RemoveAsync(string target, CancellationToken cancellationToken = default)
    {
        if (!Exists(target)) throw new NfsRootException($"{target} does not exist");
        var old = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}{OldMarker}{Guid.NewGuid():N}"[..^24]);
        try
        {
            Directory.Move(target, old);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NfsRootException($"removing {target} failed: {e.Message}", e);
        }
        await DeleteTreeAsync(old, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Copies of <paramref name="target"/> being made or deleted, or left so by an interrupted run.</summary>
    public static IReadOnlyList<string> Leftovers(string target)
    {
        var parent = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(parent)) return [];
        var name = "." + Path.GetFileName(target);
        return [.. Directory.EnumerateDirectories(parent, name + ".netbootpi-*")
            .Where(d => Path.GetFileName(d) is var n && (n.StartsWith(name + NewMarker, StringComparison.Ordinal) || n.StartsWith(name + OldMarker, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>True when something (a directory, a file, a dangling link) is at <paramref name="path"/>.</summary>
    public static bool Exists(string path) => Directory.Exists(path) || File.Exists(path) || new FileInfo(path).LinkTarget is not null;

    /// <summary>
    /// rm, not Directory.Delete: it never follows a link out of the tree and, with --one-file-system, never descends
    /// into something mounted inside it.
    /// </summary>
    private async Task DeleteTreeAsync(string path, CancellationToken cancellationToken)
    {
        var removed = await tools.RunAsync(new ToolCall("rm", "-rf", "--one-file-system", "--", path) { Timeout = CopyTimeout }, cancellationToken).ConfigureAwait(false);
        if (!removed.Succeeded) throw new NfsRootException($"deleting {path} failed: {removed.Describe()}");
    }

    private async Task DeleteQuietlyAsync(string path)
    {
        try
        {
            // Not the caller's token: a cancelled create must still take its half copy away.
            await DeleteTreeAsync(path, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NfsRootException or ToolException)
        {
            // The copy stays hidden (never exported); the next create of this root removes it.
        }
    }
}
