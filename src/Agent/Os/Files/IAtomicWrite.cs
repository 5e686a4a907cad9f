namespace NetbootPi.Agent.Os.Files;

/// <summary>A file being written by <see cref="IAtomicFiles.Create"/>; invisible at its target until committed.</summary>
public interface IAtomicWrite : IAsyncDisposable, IDisposable
{
    /// <summary>The content so far: written in order, and readable and seekable, so a check can read back what arrived.</summary>
    Stream Content { get; }

    /// <summary>
    /// Flushes the content to disk and puts it at <paramref name="path"/> (by default the target given at creation,
    /// which must be in the same directory). Once only; afterwards <see cref="Content"/> is closed.
    /// </summary>
    void Commit(string? path = null);
}
