using System.Runtime.CompilerServices;

namespace NetbootPi.Agent.Tests.Support;

/// <summary>
/// Golden files under tests/NetbootPi.Agent.Tests/Golden/: compared byte for byte; rewritten only when the
/// environment sets NETBOOTPI_UPDATE_GOLDEN=1 (then review the diff and commit it).
/// </summary>
internal static class Golden
{
    public static bool Updating => Environment.GetEnvironmentVariable("NETBOOTPI_UPDATE_GOLDEN") == "1";

    public static void Verify(string relativePath, string actual, [CallerFilePath] string caller = "")
    {
        var path = Path.Combine(Root(caller), relativePath);
        if (Updating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"golden file {path} is missing; run with NETBOOTPI_UPDATE_GOLDEN=1 to create it");
        Assert.Equal(File.ReadAllText(path), actual);
    }

    // The test sources live beside the Golden folder; walk up from the calling file to the project directory.
    private static string Root(string caller)
    {
        for (var dir = Path.GetDirectoryName(caller); dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "NetbootPi.Agent.Tests.csproj"))) return Path.Combine(dir, "Golden");
        throw new InvalidOperationException($"no test project above {caller}");
    }
}
