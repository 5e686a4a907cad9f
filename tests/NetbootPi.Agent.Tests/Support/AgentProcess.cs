using System.Collections.Concurrent;
using System.Diagnostics;
using NetbootPi.Agent.Control;

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

    private readonly string? _ownSocket;

    private AgentProcess(Process process, string? ownSocket)
    {
        _process = process;
        _ownSocket = ownSocket;
    }

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
        // Each agent its own control socket (tests run agents side by side), unless the test names one.
        string? ownSocket = null;
        if (environment?.ContainsKey(ControlSocketPath.EnvironmentVariable) != true)
            psi.Environment[ControlSocketPath.EnvironmentVariable] = ownSocket = Path.Combine(Path.GetTempPath(), $"netbootpi-test-{Guid.NewGuid():N}.sock");
        psi.Environment.Remove("JOURNAL_STREAM");
        psi.Environment.Remove("NOTIFY_SOCKET");
        if (environment?.TryGetValue("NOTIFY_SOCKET", out var ns) == true) psi.Environment["NOTIFY_SOCKET"] = ns;
        var p = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var agent = new AgentProcess(p, ownSocket);
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

    public bool HasExited => _process.HasExited;

    public Task WaitForExitAsync(CancellationToken cancellation) => _process.WaitForExitAsync(cancellation);

    /// <summary>Waits until a line containing <paramref name="text"/> is printed; returns it.</summary>
    public string WaitFor(string text) => WaitFor(l => l.Contains(text, StringComparison.Ordinal), 0, $"'{text}'");

    /// <summary>
    /// How many lines the agent has printed so far: a test that repeats a request passes it to
    /// <see cref="WaitFor(Func{string, bool}, int, string)"/> so that the line of an earlier request does not count.
    /// </summary>
    public int Mark
    {
        get
        {
            lock (_seen)
            {
                while (_lines.TryTake(out var l)) _seen.Add(l);
                return _seen.Count;
            }
        }
    }

    /// <summary>
    /// Waits until a line matching <paramref name="match"/> is printed after the first <paramref name="after"/>
    /// lines (see <see cref="Mark"/>); returns it. <paramref name="what"/> describes the line for the failure message.
    /// </summary>
    public string WaitFor(Func<string, bool> match, int after, string what)
    {
        lock (_seen)
        {
            if (_seen.Skip(after).FirstOrDefault(match) is { } already) return already;
        }
        var deadline = DateTime.UtcNow + WaitLimit;
        while (DateTime.UtcNow < deadline)
        {
            if (!_lines.TryTake(out var line, TimeSpan.FromMilliseconds(200)))
            {
                // Output or Mark on another thread may have moved the line to _seen meanwhile.
                lock (_seen)
                {
                    if (_seen.Skip(after).FirstOrDefault(match) is { } moved) return moved;
                }
                if (_process.HasExited && _lines.Count == 0)
                    throw new Xunit.Sdk.XunitException($"netbootpi exited ({_process.ExitCode}) before printing {what}. Output:\n{Output}");
                continue;
            }
            int index;
            lock (_seen)
            {
                _seen.Add(line);
                index = _seen.Count - 1;
            }
            if (index >= after && match(line)) return line;
        }
        throw new Xunit.Sdk.XunitException($"netbootpi did not print {what} within {WaitLimit.TotalSeconds}s. Output:\n{Output}");
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
        // A killed agent leaves its socket file.
        if (_ownSocket is not null) File.Delete(_ownSocket);
    }
}
