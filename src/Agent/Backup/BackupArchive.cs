using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;

namespace NetbootPi.Agent.Backup;

/// <summary>
/// The plain archive inside a backup: a tar of the site file's folder (<c>site/</c>: the site file, the WireGuard
/// peers file, the secret files it names beside it) and the whole state directory (<c>state/</c>: leases, overlays
/// and their versions, upload tokens, accounts, the API's TLS key, WireGuard keys, events), then
/// <c>manifest.json</c> with each file's size and SHA-256. Each file is read once, hashed and written from the
/// same bytes, so the manifest describes exactly what is in the archive. Files the agent replaces by rename are
/// whole; an append-only journal (leases, events) may end in a record being written, which its reader drops as it
/// does after a power cut.
/// </summary>
public static class BackupArchive
{
    /// <summary>The largest single file taken (the state directory holds overlays of a few MiB, not disk images).</summary>
    public const long MaxFileBytes = 1L << 30;

    /// <summary>Writes the archive of <paramref name="siteFile"/>'s folder and <paramref name="stateDirectory"/> to <paramref name="output"/>; returns its manifest.</summary>
    public static async Task<BackupManifest> WriteAsync(Stream output, string siteFile, string siteName, string stateDirectory, string agentVersion,
        DateTimeOffset now, CancellationToken cancellation)
    {
        siteFile = Path.GetFullPath(siteFile);
        stateDirectory = Path.GetFullPath(stateDirectory);
        var entries = new List<BackupFileEntry>();
        await using (var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            var siteFolder = Path.GetDirectoryName(siteFile)!;
            foreach (var file in Directory.EnumerateFiles(siteFolder).Order(StringComparer.Ordinal))
                if (!IsInside(file, stateDirectory) && !IsTemporary(file))
                    await AddAsync(tar, file, "site/" + Path.GetFileName(file), entries, cancellation).ConfigureAwait(false);
            if (Directory.Exists(stateDirectory))
            {
                var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
                foreach (var file in Directory.EnumerateFiles(stateDirectory, "*", options).Order(StringComparer.Ordinal))
                    if (!IsTemporary(file))
                        await AddAsync(tar, file, "state/" + Path.GetRelativePath(stateDirectory, file).Replace('\\', '/'), entries, cancellation).ConfigureAwait(false);
            }
            var manifest = new BackupManifest(BackupManifest.CurrentFormat, agentVersion, siteName, now, siteFile, stateDirectory, [.. entries]);
            var json = JsonSerializer.SerializeToUtf8Bytes(manifest, BackupJson.Default.BackupManifest);
            var entry = new PaxTarEntry(TarEntryType.RegularFile, BackupManifest.EntryName) { DataStream = new MemoryStream(json), Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
            await tar.WriteEntryAsync(entry, cancellation).ConfigureAwait(false);
            return manifest;
        }
    }

    /// <summary>
    /// Reads an archive from <paramref name="input"/>, checking every file against the manifest, and hands each file
    /// to <paramref name="onFile"/> (its entry, its mode, and a stream of its bytes) unless null. Throws
    /// <see cref="BackupException"/> for an archive that is not one, a file missing, extra or with other bytes.
    /// </summary>
    public static async Task<BackupManifest> ReadAsync(Stream input, Func<BackupFileEntry, UnixFileMode, Stream, CancellationToken, Task>? onFile, CancellationToken cancellation)
    {
        var seen = new Dictionary<string, (long Size, string Sha256)>(StringComparer.Ordinal);
        BackupManifest? manifest = null;
        await using var tar = new TarReader(input, leaveOpen: true);
        try
        {
            while (await tar.GetNextEntryAsync(copyData: false, cancellation).ConfigureAwait(false) is { } entry)
            {
                if (manifest is not null) throw new BackupException($"'{entry.Name}' follows the manifest, which is the archive's last entry");
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                    throw new BackupException($"'{entry.Name}' is a {entry.EntryType}, not a file: not a backup this agent wrote");
                if (entry.Name == BackupManifest.EntryName)
                {
                    if (entry.Length > 16 << 20) throw new BackupException("the manifest is over 16 MiB");
                    using var json = new MemoryStream();
                    await entry.DataStream!.CopyToAsync(json, cancellation).ConfigureAwait(false);
                    manifest = Parse(json.ToArray());
                    continue;
                }
                if (!IsSafeName(entry.Name)) throw new BackupException($"'{entry.Name}' is not a path this agent writes (site/NAME or state/PATH, no '..')");
                if (seen.ContainsKey(entry.Name)) throw new BackupException($"'{entry.Name}' is in the archive twice");
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var data = entry.DataStream ?? Stream.Null;
                var hashing = new HashingStream(data, hash);
                if (onFile is not null) await onFile(new BackupFileEntry(entry.Name, entry.Length, ""), entry.Mode, hashing, cancellation).ConfigureAwait(false);
                await hashing.CopyToAsync(Stream.Null, cancellation).ConfigureAwait(false);
                seen[entry.Name] = (hashing.Length, Convert.ToHexStringLower(hash.GetHashAndReset()));
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new BackupException($"the archive is damaged: {e.Message}");
        }
        if (manifest is null) throw new BackupException("the archive has no manifest.json at its end: it was cut short, or is not a backup");
        foreach (var f in manifest.Files)
        {
            if (!seen.Remove(f.Path, out var got)) throw new BackupException($"{f.Path} is in the manifest but not in the archive");
            if (got.Size != f.Size || got.Sha256 != f.Sha256)
                throw new BackupException($"{f.Path} is {got.Size} bytes with SHA-256 {got.Sha256[..12]}..., the manifest says {f.Size} bytes, {f.Sha256[..12]}...");
        }
        if (seen.Count > 0) throw new BackupException($"{seen.Keys.First()} is in the archive but not in the manifest");
        return manifest;
    }

    private static BackupManifest Parse(byte[] json)
    {
        BackupManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(json, BackupJson.Default.BackupManifest);
        }
        catch (JsonException e)
        {
            throw new BackupException($"manifest.json does not read: {e.Message}");
        }
        if (manifest is null) throw new BackupException("manifest.json is null");
        if (manifest.Format != BackupManifest.CurrentFormat)
            throw new BackupException($"the backup's format is {manifest.Format}; this agent reads format {BackupManifest.CurrentFormat}");
        return manifest;
    }

    /// <summary>site/NAME (one level) or state/PATH, with no empty, <c>.</c> or <c>..</c> part.</summary>
    internal static bool IsSafeName(string name)
    {
        var parts = name.Split('/');
        if (parts.Any(p => p is "" or "." or ".." || p.Contains('\0'))) return false;
        return (parts[0] == "site" && parts.Length == 2) || (parts[0] == "state" && parts.Length >= 2);
    }

    private static async Task AddAsync(TarWriter tar, string file, string name, List<BackupFileEntry> entries, CancellationToken cancellation)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("a backup keeps Unix file modes");
        var info = new FileInfo(file);
        if (info.LinkTarget is not null || (info.Attributes & FileAttributes.ReparsePoint) != 0) return;
        if (info.Length > MaxFileBytes) throw new BackupException($"{file} is {info.Length} bytes, over the {MaxFileBytes >> 20} MiB a backup takes of one file");
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(file, cancellation).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            // Replaced by rename or removed between the listing and the read: its successor is listed next time.
            return;
        }
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = new MemoryStream(bytes),
            Mode = File.GetUnixFileMode(file),
            ModificationTime = info.LastWriteTimeUtc,
        };
        await tar.WriteEntryAsync(entry, cancellation).ConfigureAwait(false);
        entries.Add(new BackupFileEntry(name, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes))));
    }

    private static bool IsInside(string path, string folder) =>
        path.StartsWith(folder.TrimEnd('/') + "/", StringComparison.Ordinal) || path == folder;

    /// <summary>A write in progress of the atomic-write helper (<c>.NAME.tmp-*</c>) or another tool: not the file yet.</summary>
    private static bool IsTemporary(string path)
    {
        var name = Path.GetFileName(path);
        return name.EndsWith(".tmp", StringComparison.Ordinal) || name.EndsWith('~') || name.EndsWith(".partial", StringComparison.Ordinal);
    }
}
