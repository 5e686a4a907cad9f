namespace NetbootPi.Agent.Os.Tools;

/// <summary>How a tool ended and what it wrote (each stream kept up to <see cref="ToolRunner.MaxOutputChars"/>).</summary>
public sealed record ToolResult(ToolCall Call, int ExitCode, string Output, string Errors)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>This result, or a <see cref="ToolException"/> that names the call and quotes what the tool said.</summary>
    public ToolResult ThrowIfFailed() => Succeeded ? this : throw new ToolException(Call, Describe());

    /// <summary>"nft -f FILE exited with 1: Error: ..." — the tool's own error text, or its output when it wrote none.</summary>
    public string Describe()
    {
        var said = (Errors.Trim().Length > 0 ? Errors : Output).Trim();
        return said.Length == 0 ? $"{Call} exited with {ExitCode}" : $"{Call} exited with {ExitCode}: {said}";
    }
}
