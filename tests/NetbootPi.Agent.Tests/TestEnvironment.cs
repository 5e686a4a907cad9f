namespace NetbootPi.Agent.Tests;

/// <summary>Decides what a test does when a real peer it needs is missing.</summary>
internal static class TestEnvironment
{
    /// <summary>True on CI, where every peer is installed and a missing one is a failure, not a skip.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips the test with <paramref name="reason"/>, or fails it on CI. Always throws.</summary>
    public static Exception SkipOrFail(string reason)
    {
        if (IsCi) Assert.Fail($"{reason} (CI=true: required here)");
        Assert.Skip(reason);
        return new InvalidOperationException("unreachable: Assert.Skip throws");
    }
}
