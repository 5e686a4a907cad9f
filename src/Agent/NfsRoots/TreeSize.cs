using System.Globalization;

namespace NetbootPi.Agent.NfsRoots;

/// <summary>The files in a tree and their bytes (links not followed), for progress and <c>show host</c>.</summary>
public readonly record struct TreeSize(long Files, long Bytes)
{
    /// <summary>Counts what is in <paramref name="root"/> now; a tree that is still being written gives what is there so far.</summary>
    public static TreeSize Of(string root)
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.ReparsePoint,
        };
        long files = 0, bytes = 0;
        try
        {
            foreach (var f in new DirectoryInfo(root).EnumerateFiles("*", options))
            {
                files++;
                bytes += f.Length;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file that went between listing and reading (a tree being copied or deleted): what was counted stands.
        }
        return new TreeSize(files, bytes);
    }

    public static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.0} MiB");

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Files} files, {Mib(Bytes)}");
}
