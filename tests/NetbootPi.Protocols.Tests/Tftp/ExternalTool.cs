using System.Diagnostics;

namespace NetbootPi.Protocols.Tests.Tftp;

/// <summary>Finds and runs a real client program; a missing one skips the test, or fails it when CI=true.</summary>
internal static class ExternalTool
{
    public static string Require(string name, string package)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':'))
        {
            var candidate = Path.Join(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        var why = $"{name} is not installed (Debian package {package})";
        if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail(why + "; CI=true requires every real client");
        Assert.Skip(why);
        return "";
    }

    /// <summary>Runs to completion or kills the process after two minutes; returns exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string path, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"{Path.GetFileName(path)} {string.Join(' ', arguments)} did not finish within two minutes");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
