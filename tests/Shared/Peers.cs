namespace NetbootPi.Tests.Shared;

/// <summary>
/// Real programs a test talks to. Missing ones skip the test with the reason, except on CI (CI=true), where
/// tools/deps.sh installed everything and a missing peer is a failure.
/// </summary>
internal static class Peers
{
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The full path of <paramref name="tool"/> on PATH, or the test is skipped (failed on CI).</summary>
    public static string Require(string tool, string package)
    {
        if (Find(tool) is { } path) return path;
        SkipOrFail($"{tool} is not installed (Debian package {package}; tools/deps.sh installs it)");
        return "";
    }

    /// <summary>
    /// The full path of <paramref name="tool"/> on PATH, or null: for class fixtures, which cannot skip, and
    /// record why their tests must (see <see cref="SkipOrFail"/>).
    /// </summary>
    public static string? Find(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':'))
        {
            var path = Path.Combine(dir, tool);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    public static bool IsRoot => Environment.UserName == "root";

    public static void RequireRoot()
    {
        if (!IsRoot) SkipOrFail("needs root (network namespaces, privileged ports)");
    }

    /// <summary>Skips the test with <paramref name="reason"/>, or fails it on CI. Always throws.</summary>
    public static Exception SkipOrFail(string reason)
    {
        if (IsCi) Assert.Fail($"{reason} — CI=true, so this is a failure, not a skip");
        Assert.Skip(reason);
        return new InvalidOperationException("unreachable: Assert.Skip throws");
    }
}
