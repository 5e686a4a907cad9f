using System.Globalization;
using System.Text;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Overlays;

/// <summary>One stored version of a host's overlay; the highest number is the one served.</summary>
public sealed record OverlayVersion(int Number, string Path, long Size, DateTimeOffset Stored);

/// <summary>The result of an upload: the new version, or why it was refused.</summary>
public sealed record OverlayStoreResult(OverlayVersion? Stored, OverlayRejection Rejection);

/// <summary>
/// Alpine overlays (apkovl) per MAC under <c>STATE_DIR/overlays/MAC/</c> as numbered versions
/// (<c>000001.tar.gz</c>, ...). The newest is served; the last <see cref="KeptVersions"/> are kept.
/// New versions appear atomically: a half-written upload is never served.
/// </summary>
public sealed class OverlayStore(string stateDirectory, IAtomicFiles files)
{
    public const int KeptVersions = 5;
    public const long MaxCompressedBytes = 64L * 1024 * 1024;
    public const long MaxDecompressedBytes = 512L * 1024 * 1024;

    private const string Suffix = ".tar.gz";
    private const string LastNumberFile = ".last-version";
    private readonly Lock _gate = new();

    public string Root { get; } = Path.Combine(stateDirectory, "overlays");

    private string DirectoryOf(MacAddress mac) => Path.Combine(Root, mac.ToString(MacFormat.Hyphen));

    /// <summary>Every kept version, oldest first.</summary>
    public IReadOnlyList<OverlayVersion> List(MacAddress mac)
    {
        var dir = DirectoryOf(mac);
        if (!Directory.Exists(dir)) return [];
        var versions = new List<OverlayVersion>();
        foreach (var path in Directory.EnumerateFiles(dir, "*" + Suffix))
        {
            var name = Path.GetFileName(path);
            if (!int.TryParse(name.AsSpan(0, name.Length - Suffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n)) continue;
            var info = new FileInfo(path);
            versions.Add(new OverlayVersion(n, path, info.Length, info.LastWriteTimeUtc));
        }
        versions.Sort((a, b) => a.Number.CompareTo(b.Number));
        return versions;
    }

    /// <summary>The version served, or null when the host has none (Alpine then boots without an overlay).</summary>
    public OverlayVersion? Current(MacAddress mac) => List(mac) is { Count: > 0 } l ? l[^1] : null;

    /// <summary>
    /// Reads an upload to its end (at most <see cref="MaxCompressedBytes"/>), checks it, and makes it the
    /// current version; older versions beyond <see cref="KeptVersions"/> are deleted.
    /// </summary>
    public async Task<OverlayStoreResult> StoreAsync(MacAddress mac, Stream body, CancellationToken cancellation)
    {
        var dir = DirectoryOf(mac);
        Directory.CreateDirectory(dir);
        await using var upload = files.Create(Path.Combine(dir, "upload" + Suffix));
        var buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = await body.ReadAsync(buffer, cancellation).ConfigureAwait(false)) > 0)
        {
            total += n;
            if (total > MaxCompressedBytes) return new OverlayStoreResult(null, OverlayRejection.TooLarge);
            await upload.Content.WriteAsync(buffer.AsMemory(0, n), cancellation).ConfigureAwait(false);
        }
        var rejection = OverlayCheck.Check(upload.Content, MaxDecompressedBytes);
        if (rejection != OverlayRejection.None) return new OverlayStoreResult(null, rejection);
        lock (_gate)
        {
            // A number never names two contents: after a rollback the next upload gets a new number, not the one
            // rolled back. The highest number given is kept (durably, before the version appears) beside them.
            var next = Math.Max(Current(mac)?.Number ?? 0, LastNumber(dir)) + 1;
            files.Write(Path.Combine(dir, LastNumberFile), Encoding.ASCII.GetBytes(next.ToString(CultureInfo.InvariantCulture) + "\n"));
            upload.Commit(Path.Combine(dir, next.ToString("D6", CultureInfo.InvariantCulture) + Suffix));
            Prune(mac);
            return new OverlayStoreResult(Current(mac), OverlayRejection.None);
        }
    }

    /// <summary>
    /// Drops the current version so the one before it is served again. Refused (false) when there is no
    /// earlier version: rolling back never leaves a host without the overlay it had.
    /// </summary>
    public bool Rollback(MacAddress mac, out OverlayVersion? nowCurrent)
    {
        lock (_gate)
        {
            var versions = List(mac);
            nowCurrent = versions.Count > 0 ? versions[^1] : null;
            if (versions.Count < 2) return false;
            files.Delete(versions[^1].Path);
            nowCurrent = versions[^2];
            return true;
        }
    }

    /// <summary>The highest version number ever given in <paramref name="dir"/>, or 0.</summary>
    private static int LastNumber(string dir)
    {
        try
        {
            return int.TryParse(File.ReadAllText(Path.Combine(dir, LastNumberFile)).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        }
        catch (FileNotFoundException)
        {
            return 0; // a store from before the counter: its files' highest number stands in
        }
    }

    private void Prune(MacAddress mac)
    {
        var versions = List(mac);
        for (var i = 0; i < versions.Count - KeptVersions; i++) files.Delete(versions[i].Path);
    }
}
