namespace NetbootPi.Fuzz;

/// <summary>Files of the repository the seeds come from (golden captures, the example site), found from the build output.</summary>
internal static class RepoFiles
{
    public static string Root { get; } = Find();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    private static string Find()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "NetbootPi.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException(
            $"the NetbootPi repository (NetbootPi.sln) is above neither {AppContext.BaseDirectory} nor the current directory: run from the repository");
    }
}
