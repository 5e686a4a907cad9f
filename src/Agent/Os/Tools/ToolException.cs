namespace NetbootPi.Agent.Os.Tools;

/// <summary>A tool that could not be run, did not finish in time, or (through <see cref="ToolResult.ThrowIfFailed"/>) failed.</summary>
public sealed class ToolException(ToolCall call, string message, Exception? inner = null) : Exception(message, inner)
{
    public ToolCall Call { get; } = call;
}
