using System.Diagnostics;

namespace NetbootPi.Tests.Shared;

/// <summary>Runs a command-line peer to completion and returns its exit code and output.</summary>
internal static class Tool
{
    public static async Task<(int Code, string Out, string Err)> RunAsync(string file, IEnumerable<string> args,
        CancellationToken cancellation, TimeSpan? limit = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync(cancellation);
        var stderr = p.StandardError.ReadToEndAsync(cancellation);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(limit ?? TimeSpan.FromSeconds(60)); // a hung peer fails the test instead of hanging it
        try
        {
            await p.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"{file} {string.Join(' ', args)} did not finish in time");
        }
        return (p.ExitCode, await stdout, await stderr);
    }
}
