using System.Globalization;
using System.IO.Pipelines;
using NetbootPi.Agent.Age;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Backup;

/// <summary>
/// Writes one backup of a site into a folder: <c>netbootpi-SITE-YYYYMMDDTHHMMSS.mmmZ.tar.age</c> (or <c>.tar</c>
/// when unencrypted), under a temporary name until whole, then the site's backups beyond <c>keep</c> removed, oldest
/// first. Used by <c>netbootpi backup create</c> and by the agent's schedule (<c>backup.every</c>).
/// </summary>
public static class BackupWriter
{
    public const string Prefix = "netbootpi-";
    public const string Encrypted = ".tar.age";
    public const string Plain = ".tar";

    /// <summary>What a backup run wrote: the file, its manifest, its size, and the old backups it removed.</summary>
    public sealed record Written(string Path, BackupManifest Manifest, long Bytes, IReadOnlyList<string> Removed);

    /// <exception cref="BackupException">Nothing was written (no recipients and not <paramref name="unencrypted"/>, a name taken).</exception>
    /// <exception cref="IOException">The folder could not be written; nothing is left there.</exception>
    public static async Task<Written> WriteAsync(SiteInventory site, string sitePath, string folder, bool unencrypted, string version, DateTimeOffset now,
        CancellationToken cancellation)
    {
        var recipients = site.Backup?.Recipients ?? [];
        if (recipients.IsEmpty && !unencrypted)
            throw new BackupException($"{sitePath} names no backup.recipients, and a backup holds the box's secrets (keys, accounts, tokens): add an age public key there (age-keygen makes a pair), or give --unencrypted for a folder only you can read");
        if (!recipients.IsEmpty && unencrypted)
            throw new BackupException($"--unencrypted, but {sitePath} names backup.recipients: a backup is encrypted to them whenever it can be");
        sitePath = Path.GetFullPath(sitePath);
        var name = $"{Prefix}{site.Site.Name}-{now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss.fff'Z'", CultureInfo.InvariantCulture)}{(recipients.IsEmpty ? Plain : Encrypted)}";
        Directory.CreateDirectory(folder);
        var target = Path.Combine(folder, name);
        // Names sort by time, to the millisecond; one that is there already is never replaced.
        if (File.Exists(target)) throw new BackupException($"{target} is there already: run it again");
        BackupManifest manifest;
        long bytes;
        using (var write = AtomicFiles.Local.Create(target, UnixFileMode.UserRead | UnixFileMode.UserWrite))
        {
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
            bytes = write.Content.Length;
            write.Commit();
        }
        return new Written(target, manifest, bytes, Prune(folder, site.Site.Name, site.Backup?.Keep ?? BackupSettings.DefaultKeep));
    }

    /// <summary>The backups in <paramref name="folder"/> (of <paramref name="site"/> only, when given).</summary>
    public static IEnumerable<FileInfo> Backups(string folder, string? site = null) =>
        new DirectoryInfo(folder).EnumerateFiles(Prefix + (site is null ? "*" : site + "-*"))
            .Where(f => f.Name.EndsWith(Encrypted, StringComparison.Ordinal) || f.Name.EndsWith(Plain, StringComparison.Ordinal));

    /// <summary>When the newest backup of <paramref name="site"/> in <paramref name="folder"/> was made, from its name; null when none.</summary>
    public static DateTimeOffset? Newest(string folder, string site)
    {
        if (!Directory.Exists(folder)) return null;
        var stamps = Backups(folder, site)
            .Select(f => f.Name[(Prefix.Length + site.Length + 1)..].Split(".tar")[0])
            .Select(s => DateTimeOffset.TryParseExact(s, "yyyyMMdd'T'HHmmss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : (DateTimeOffset?)null)
            .Where(t => t is not null)
            .ToList();
        return stamps.Count == 0 ? null : stamps.Max();
    }

    /// <summary>Removes the oldest of the site's backups beyond <paramref name="keep"/> (names sort by time); returns their names.</summary>
    private static List<string> Prune(string folder, string site, int keep)
    {
        var old = Backups(folder, site).OrderByDescending(f => f.Name, StringComparer.Ordinal).Skip(keep).ToList();
        foreach (var f in old) AtomicFiles.Local.Delete(f.FullName);
        return [.. old.Select(f => f.Name)];
    }
}
