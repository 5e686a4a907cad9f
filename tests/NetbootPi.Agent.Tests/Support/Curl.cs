using System.Diagnostics;

namespace NetbootPi.Agent.Tests.Support;

/// <summary>What one curl run returned: status, headers as sent, body bytes.</summary>
internal sealed record CurlResult(int Status, string Headers, byte[] Body, string Error)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);

    /// <summary>The value of a response header (case-insensitive name), or null.</summary>
    public string? Header(string name) => Headers.Split("\r\n")
        .Where(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
        .Select(l => l[(name.Length + 1)..].Trim()).LastOrDefault();
}

/// <summary>The real curl as a client: skipped where curl is missing, except in CI where that is a failure.</summary>
internal static class Curl
{
    public static void RequireInstalled()
    {
        if (File.Exists("/usr/bin/curl") || File.Exists("/bin/curl")) return;
        if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail("curl is not installed (tools/deps.sh installs it)");
        Assert.Skip("curl is not installed");
    }

    public static CurlResult Run(params string[] args)
    {
        var dir = Directory.CreateTempSubdirectory("netbootpi-curl-").FullName;
        try
        {
            var psi = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-sS", "--max-time", "30", "-D", Path.Combine(dir, "h"), "-o", Path.Combine(dir, "b"), "-w", "%{http_code}" })
                psi.ArgumentList.Add(a);
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEnd();
            var stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            var headers = File.Exists(Path.Combine(dir, "h")) ? File.ReadAllText(Path.Combine(dir, "h")) : "";
            var body = File.Exists(Path.Combine(dir, "b")) ? File.ReadAllBytes(Path.Combine(dir, "b")) : [];
            return new CurlResult(int.TryParse(stdout, out var s) ? s : 0, headers, body, stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
