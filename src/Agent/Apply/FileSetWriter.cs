using System.Text;
using NetbootPi.Agent.Os.Files;

namespace NetbootPi.Agent.Apply;

/// <summary>
/// Changes a set of files as one step: every new content is written to its temporary file first (nothing visible
/// changes if any of those writes fails), then the files are put in place one rename each; if putting one in place
/// fails, the ones already changed get their old content back before the error is thrown. Removals come last.
/// </summary>
public sealed class FileSetWriter(IAtomicFiles files)
{
    private const UnixFileMode ConfigurationMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <exception cref="FileSetException">The set could not be changed; the files are as they were.</exception>
    public void Apply(IReadOnlyList<FileChange> changes)
    {
        var writes = changes.Where(c => c.After is not null).ToList();
        var prepared = new List<(FileChange Change, IAtomicWrite Write)>();
        try
        {
            foreach (var change in writes)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(change.Path)!);
                var write = files.Create(change.Path, ConfigurationMode);
                prepared.Add((change, write));
                write.Content.Write(Encoding.UTF8.GetBytes(change.After!));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            foreach (var (_, w) in prepared) w.Dispose();
            throw new FileSetException($"nothing changed: {FileErrors.Describe(e, prepared.Count > 0 ? prepared[^1].Change.Path : writes[0].Path)}", e);
        }

        var done = new List<FileChange>();
        try
        {
            foreach (var (change, write) in prepared)
            {
                write.Commit();
                done.Add(change);
            }
            foreach (var change in changes.Where(c => c.IsRemoval))
            {
                files.Delete(change.Path);
                done.Add(change);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var failed = prepared.Select(p => p.Change).Concat(changes.Where(c => c.IsRemoval)).Except(done).First();
            var undone = Undo(done);
            throw new FileSetException(undone is null
                ? $"{FileErrors.Describe(e, failed.Path)}; the {done.Count} files already changed have their old content again"
                : $"{FileErrors.Describe(e, failed.Path)}; and putting back the files already changed failed too: {undone}", e);
        }
        finally
        {
            foreach (var (_, w) in prepared) w.Dispose();
        }
    }

    /// <summary>Puts <paramref name="done"/> back as they were, last first; the reason when that fails.</summary>
    private string? Undo(List<FileChange> done)
    {
        for (var i = done.Count - 1; i >= 0; i--)
        {
            var undo = done[i].Inverse;
            try
            {
                if (undo.After is null) files.Delete(undo.Path);
                else files.Write(undo.Path, Encoding.UTF8.GetBytes(undo.After), ConfigurationMode);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return FileErrors.Describe(e, undo.Path);
            }
        }
        return null;
    }
}
