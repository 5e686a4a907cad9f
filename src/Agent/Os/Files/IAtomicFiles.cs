namespace NetbootPi.Agent.Os.Files;

/// <summary>
/// Changes files so that a reader (or a power cut) sees the old content or the new, never a mix: the one way the
/// agent writes state and configuration.
/// </summary>
/// <remarks>
/// A write goes to a hidden temporary file beside the target (a leading dot, so no listing or server shows it),
/// is flushed to disk, renamed over the target, and the rename itself is made durable (fsync of the directory).
/// Errors are the file system's own (<see cref="IOException"/>, <see cref="UnauthorizedAccessException"/>), with the path.
/// </remarks>
public interface IAtomicFiles
{
    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/>. A new file gets <paramref name="mode"/> (less
    /// the umask) from its creation on, so a secret is never readable by others, not even for a moment.
    /// </summary>
    void Write(string path, ReadOnlySpan<byte> content, UnixFileMode? mode = null);

    /// <summary>
    /// Starts a file written in pieces (an upload, a download) beside <paramref name="path"/>: nothing is at the
    /// target until <see cref="IAtomicWrite.Commit"/>, and disposing an uncommitted write removes what was written.
    /// </summary>
    IAtomicWrite Create(string path, UnixFileMode? mode = null);

    /// <summary>Removes <paramref name="path"/> and makes the removal durable; false when nothing was there.</summary>
    bool Delete(string path);
}
