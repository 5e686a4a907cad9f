namespace NetbootPi.Agent.Os.Tools;

/// <summary>One run of a tool: the program (a name on PATH or an absolute path), its arguments, what it reads.</summary>
public sealed record ToolCall(string Program, IReadOnlyList<string> Arguments)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public ToolCall(string program, params string[] arguments) : this(program, (IReadOnlyList<string>)arguments)
    {
    }

    /// <summary>Written to the tool's standard input, which is then closed; none: the input is empty.</summary>
    public string? Input { get; init; }

    /// <summary>
    /// Variables added to the tool's environment: the way a secret reaches a tool that reads one from there
    /// (<c>ipmitool -E</c>), because an argv is readable by every user in /proc. Never part of <see cref="ToString"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>How long the tool may run before it is killed and the run fails.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>The call as a person would type it, for messages (arguments with spaces or quotes are quoted).</summary>
    public override string ToString() =>
        string.Join(' ', new[] { Program }.Concat(Arguments).Select(a =>
            a.Length > 0 && a.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=@,+%".Contains(c)) ? a : $"'{a.Replace("'", "'\\''", StringComparison.Ordinal)}'"));
}
