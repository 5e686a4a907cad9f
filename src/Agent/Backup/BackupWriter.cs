using System.Globalization;
using System.IO.Pipelines;
using NetbootPi.Agent.Age;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Os.Tools;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Backup;

/// <summary>
/// Writes one backup of a site to a destination (<see cref="BackupDestination"/>):
/// <c>netbootpi-SITE-YYYYMMDDTHHMMSS.mmmZ.tar.age</c> (or <c>.tar</c> when unencrypted, to a folder only), under a
/// temporary name until whole, then the site's backups beyond <c>keep</c> removed, oldest first. To an SSH server
/// or git repository it is written to the cache first (it is encrypted), then sent. Used by
/// <c>netbootpi backup create</c> and by the agent's schedule (<c>backup.every</c>).
/// </summary>
public static class BackupWriter
{
    public const string Prefix = "netbootpi-";
    public const string Encrypted = ".tar.age";
    public const string Plain = ".tar";

    private const string Stamp = "yyyyMMdd'T'HHmmss.fff'Z'";

    /// <summary>What a backup run wrote: where, its manifest, its size, and the old backups it removed.</summary>
    public sealed record Written(string Path, BackupManifest Manifest, long Bytes, IReadOnlyList<string> Removed);

    /// <summary>The folder outside the state directory (each backup would hold it) where remote destinations' files wait and git's work clones live.</summary>
    public static string CacheDirectory(SiteInventory site) => Path.Combine(site.Server.DataDirectory, "cache", "backup");

    /// <exception cref="BackupException">Nothing was written (no recipients and not <paramref name="unencrypted"/>, a name taken, the destination refused it).</exception>
    /// <exception cref="IOException">The folder could not be written; nothing is left there.</exception>
    public static async Task<Written> WriteAsync(SiteInventory site, string sitePath, string to, bool unencrypted, string version, DateTimeOffset now,
        CancellationToken cancellation)
    {
        var recipients = site.Backup?.Recipients ?? [];
        if (recipients.IsEmpty && !unencrypted)
            throw new BackupException($"{sitePath} names no backup.recipients, and a backup holds the box's secrets (keys, accounts, tokens): add an age public key there (age-keygen makes a pair), or give --unencrypted for a folder only you can read");
        if (!recipients.IsEmpty && unencrypted)
            throw new BackupException($"--unencrypted, but {sitePath} names backup.recipients: a backup is encrypted to them whenever it can be");
        var dest = Parse(to);
        if (dest.IsRemote && unencrypted)
            throw new BackupException($"{to}: a backup leaves the box only encrypted: --unencrypted writes to a folder");
        sitePath = Path.GetFullPath(sitePath);
        var name = $"{Prefix}{site.Site.Name}-{now.UtcDateTime.ToString(Stamp, CultureInfo.InvariantCulture)}{(recipients.IsEmpty ? Plain : Encrypted)}";
        var keep = site.Backup?.Keep ?? BackupSettings.DefaultKeep;
        try
        {
            return await WriteToAsync(site, sitePath, dest, name, keep, version, now, cancellation).ConfigureAwait(false);
        }
        catch (ToolException e)
        {
            // sftp, git or ssh-keygen could not be run or did not finish in time.
            throw new BackupException($"{to}: {e.Message}");
        }
    }

    private static async Task<Written> WriteToAsync(SiteInventory site, string sitePath, BackupDestination dest, string name, int keep, string version,
        DateTimeOffset now, CancellationToken cancellation)
    {
        switch (dest.Kind)
        {
            case BackupDestinationKind.Folder:
            {
                var (manifest, bytes) = await WriteFileAsync(site, sitePath, dest.Path, name, version, now, cancellation).ConfigureAwait(false);
                return new Written(Path.Combine(dest.Path, name), manifest, bytes, Prune(dest.Path, site.Site.Name, keep));
            }
            case BackupDestinationKind.Sftp:
            {
                var (tools, ssh) = await SshAsync(site, sitePath, dest, cancellation).ConfigureAwait(false);
                var spool = Path.Combine(CacheDirectory(site), "spool");
                var (manifest, bytes) = await WriteFileAsync(site, sitePath, spool, name, version, now, cancellation).ConfigureAwait(false);
                try
                {
                    var removed = await BackupSftp.UploadAsync(tools, dest, ssh, Path.Combine(spool, name), name, site.Site.Name, keep, cancellation).ConfigureAwait(false);
                    return new Written(dest.Describe(name), manifest, bytes, removed);
                }
                finally
                {
                    File.Delete(Path.Combine(spool, name));
                }
            }
            default:
            {
                var (tools, ssh) = await SshAsync(site, sitePath, dest, cancellation).ConfigureAwait(false);
                var git = new BackupGit(tools, dest, ssh, CacheDirectory(site));
                var branch = await git.ResetAsync(cancellation).ConfigureAwait(false);
                var (manifest, bytes) = await WriteFileAsync(site, sitePath, git.Clone, name, version, now, cancellation).ConfigureAwait(false);
                var removed = Prune(git.Clone, site.Site.Name, keep);
                await git.CommitAndPushAsync(branch, name, removed, site.Site.Name, cancellation).ConfigureAwait(false);
                return new Written(dest.Describe(name), manifest, bytes, removed);
            }
        }
    }

    /// <summary>The backups at <paramref name="to"/> (of <paramref name="site"/> only, when given).</summary>
    public static async Task<IReadOnlyList<BackupListing>> ListAsync(SiteInventory site, string sitePath, string to, string? siteName, CancellationToken cancellation)
    {
        var dest = Parse(to);
        IReadOnlyList<BackupListing> all;
        if (dest.Kind == BackupDestinationKind.Folder)
        {
            if (!Directory.Exists(dest.Path)) throw new BackupException($"{dest.Path} is not a folder");
            all = [.. Backups(dest.Path).Select(f => new BackupListing(f.Name, f.Length))];
        }
        else
        {
            try
            {
                var (tools, ssh) = await SshAsync(site, sitePath, dest, cancellation).ConfigureAwait(false);
                all = dest.Kind == BackupDestinationKind.Sftp
                    ? await BackupSftp.ListAsync(tools, dest, ssh, cancellation).ConfigureAwait(false)
                    : await new BackupGit(tools, dest, ssh, CacheDirectory(site)).ListAsync(cancellation).ConfigureAwait(false);
            }
            catch (ToolException e)
            {
                throw new BackupException($"{to}: {e.Message}");
            }
        }
        return [.. all.Where(b => siteName is null || IsOf(b.Name, siteName)).OrderByDescending(b => b.Name, StringComparer.Ordinal)];
    }

    /// <summary>The backups in <paramref name="folder"/> (of <paramref name="site"/> only, when given).</summary>
    public static IEnumerable<FileInfo> Backups(string folder, string? site = null) =>
        new DirectoryInfo(folder).EnumerateFiles(Prefix + (site is null ? "*" : site + "-*")).Where(f => IsBackup(f.Name));

    /// <summary>Whether <paramref name="name"/> is a backup's file name (of any site).</summary>
    public static bool IsBackup(string name) =>
        name.StartsWith(Prefix, StringComparison.Ordinal) && (name.EndsWith(Encrypted, StringComparison.Ordinal) || name.EndsWith(Plain, StringComparison.Ordinal));

    /// <summary>Whether <paramref name="name"/> is one of <paramref name="site"/>'s backups (its time parses after the site's name).</summary>
    public static bool IsOf(string name, string site) => IsBackup(name) && Made(name, site) is not null;

    /// <summary>When the backup named <paramref name="name"/> of <paramref name="site"/> was made, from its name; null when it is not one.</summary>
    public static DateTimeOffset? Made(string name, string site)
    {
        var head = Prefix + site + "-";
        if (!name.StartsWith(head, StringComparison.Ordinal)) return null;
        return DateTimeOffset.TryParseExact(name[head.Length..].Split(".tar")[0], Stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
    }

    /// <summary>When the newest backup of <paramref name="site"/> in <paramref name="folder"/> was made, from its name; null when none.</summary>
    public static DateTimeOffset? Newest(string folder, string site) =>
        Directory.Exists(folder) ? Backups(folder, site).Select(f => Made(f.Name, site)).Max() : null;

    /// <summary>The destination <paramref name="to"/> names (already checked in a site file; from --to, checked here).</summary>
    public static BackupDestination Parse(string to) =>
        BackupDestination.TryParse(to, out var dest, out var problem) ? dest : throw new BackupException(problem);

    /// <summary>The box's SSH public key for backups (made on first use in the state directory), as authorized_keys takes it.</summary>
    public static async Task<string> SshKeyAsync(SiteInventory site, CancellationToken cancellation)
    {
        try
        {
            return await BackupSsh.EnsureKeyAsync(new ToolRunner(TimeProvider.System), site.Server.StateDirectory, site.Site.Name, cancellation).ConfigureAwait(false);
        }
        catch (ToolException e)
        {
            throw new BackupException(e.Message);
        }
    }

    /// <summary>The box's SSH key (made if need be) and ssh's options for <paramref name="dest"/>, with its host key from the site.</summary>
    private static async Task<(IToolRunner, string[])> SshAsync(SiteInventory site, string sitePath, BackupDestination dest, CancellationToken cancellation)
    {
        if (site.Backup?.HostKey is not { } hostKey)
            throw new BackupException($"{dest.Text}: {sitePath} names no backup.host_key, the SSH host key {dest.Host} must show (its /etc/ssh/ssh_host_ed25519_key.pub): the box never trusts a key on first use");
        var tools = new ToolRunner(TimeProvider.System);
        await BackupSsh.EnsureKeyAsync(tools, site.Server.StateDirectory, site.Site.Name, cancellation).ConfigureAwait(false);
        return (tools, BackupSsh.Options(dest, site.Server.StateDirectory, hostKey, CacheDirectory(site)));
    }

    /// <summary>The backup written into <paramref name="folder"/> as <paramref name="name"/>, under a temporary name until whole and on disk.</summary>
    private static async Task<(BackupManifest, long)> WriteFileAsync(SiteInventory site, string sitePath, string folder, string name, string version,
        DateTimeOffset now, CancellationToken cancellation)
    {
        var recipients = site.Backup?.Recipients ?? [];
        Directory.CreateDirectory(folder);
        var target = Path.Combine(folder, name);
        // Names sort by time, to the millisecond; one that is there already is never replaced.
        if (File.Exists(target)) throw new BackupException($"{target} is there already: run it again");
        BackupManifest manifest;
        using var write = AtomicFiles.Local.Create(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (recipients.IsEmpty)
            manifest = await BackupArchive.WriteAsync(write.Content, sitePath, site.Site.Name, site.Server.StateDirectory, version, now, cancellation).ConfigureAwait(false);
        else
        {
            // The tar goes straight into age through a pipe: the secrets are never on a disk in the clear.
            var pipe = new Pipe();
            var writing = Task.Run(async () =>
            {
                await using var into = pipe.Writer.AsStream();
                return await BackupArchive.WriteAsync(into, sitePath, site.Site.Name, site.Server.StateDirectory, version, now, cancellation).ConfigureAwait(false);
            }, cancellation);
            await using (var from = pipe.Reader.AsStream())
                await AgeFile.EncryptAsync(from, write.Content, recipients, cancellation).ConfigureAwait(false);
            manifest = await writing.ConfigureAwait(false);
        }
        await write.Content.FlushAsync(cancellation).ConfigureAwait(false);
        var bytes = write.Content.Length;
        write.Commit();
        return (manifest, bytes);
    }

    /// <summary>Removes the oldest of the site's backups beyond <paramref name="keep"/> (names sort by time); returns their names.</summary>
    private static List<string> Prune(string folder, string site, int keep)
    {
        var old = Backups(folder, site).Where(f => IsOf(f.Name, site)).OrderByDescending(f => f.Name, StringComparer.Ordinal).Skip(keep).ToList();
        foreach (var f in old) AtomicFiles.Local.Delete(f.FullName);
        return [.. old.Select(f => f.Name)];
    }
}
