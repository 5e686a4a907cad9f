using System.Collections.Concurrent;
using System.Diagnostics;

namespace NetbootPi.Agent.Tests.Support;

/// <summary>
/// The built <c>netbootpi</c> running as its own process, with its output collected line by line so a test
/// can wait for what the agent says instead of sleeping. Killed on dispose, also when a test fails.
/// </summary>
internal sealed class AgentProcess : IDisposable
{
    // A safety net for a hung agent, not a performance bound: waits end as soon as the line appears.
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = new();
    private readonly List<string> _seen = [];

    private AgentProcess(Process process) => _process = process;

    public static string Executable => Path.Combine(AppContext.BaseDirectory, "netbootpi");

    public static AgentProcess Start(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        Start(environment, [], args);

    /// <summary>
    /// Starts the agent through <paramref name="wrapper"/> (like <c>ip netns exec NS</c>), which must exec it so
    /// that the process (and its id, for signals) is the agent's.
    /// </summary>
    public static AgentProcess Start(IReadOnlyDictionary<string, string>? environment, string[] wrapper, params string[] args)
    {
        var psi = new ProcessStartInfo(wrapper.Length == 0 ? Executable : wrapper[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (wrapper.Length > 0)
        {
            foreach (var w in wrapper.Skip(1)) psi.ArgumentList.Add(w);
            psi.ArgumentList.Add(Executable);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        psi.Environment.Remove("JOURNAL_STREAM");
        psi.Environment.Remove("NOTIFY_SOCKET");
        if (environment?.TryGetValue("NOTIFY_SOCKET", out var ns) == true) psi.Environment["NOTIFY_SOCKET"] = ns;
        var p = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var agent = new AgentProcess(p);
        p.OutputDataReceived += (_, e) => agent.Add(e.Data);
        p.ErrorDataReceived += (_, e) => agent.Add(e.Data);
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return agent;
    }

    private void Add(string? line)
    {
        if (line is not null && !_lines.IsAddingCompleted) _lines.Add(line);
    }

    public int Id => _process.Id;

    /// <summary>Waits until a line containing <paramref name="text"/> is printed; returns it.</summary>
    public string WaitFor(string text)
    {
        lock (_seen)
        {
            if (_seen.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } already) return already;
        }
        var deadline = DateTime.UtcNow + WaitLimit;
        while (DateTime.UtcNow < deadline)
        {
            if (!_lines.TryTake(out var line, TimeSpan.FromMilliseconds(200)))
            {
                if (_process.HasExited && _lines.Count == 0)
                    throw new Xunit.Sdk.XunitException($"netbootpi exited ({_process.ExitCode}) before printing '{text}'. Output:\n{Output}");
                continue;
            }
            lock (_seen) _seen.Add(line);
            if (line.Contains(text, StringComparison.Ordinal)) return line;
        }
        throw new Xunit.Sdk.XunitException($"netbootpi did not print '{text}' within {WaitLimit.TotalSeconds}s. Output:\n{Output}");
    }

    public string Output
    {
        get
        {
            lock (_seen)
            {
                while (_lines.TryTake(out var l)) _seen.Add(l);
                return string.Join('\n', _seen);
            }
        }
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public int WaitForExit()
    {
        if (!_process.WaitForExit(WaitLimit))
            throw new Xunit.Sdk.XunitException($"netbootpi did not exit. Output:\n{Output}");
        _process.WaitForExit(); // drains the redirected streams
        return _process.ExitCode;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // never started
        }
        _lines.CompleteAdding();
        _process.Dispose();
    }
}
