namespace NetbootPi.Agent.Tests.Support;

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
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':'))
        {
            var path = Path.Combine(dir, tool);
            if (File.Exists(path)) return path;
        }
        SkipOrFail($"{tool} is not installed (Debian package {package}; tools/deps.sh installs it)");
        return "";
    }

    public static void RequireRoot()
    {
        if (Environment.UserName != "root") SkipOrFail("needs root (network namespaces, privileged ports)");
    }

    public static void SkipOrFail(string reason)
    {
        if (IsCi) Assert.Fail($"{reason} — CI=true, so this is a failure, not a skip");
        Assert.Skip(reason);
    }
}
