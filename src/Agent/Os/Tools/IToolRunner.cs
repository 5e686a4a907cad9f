namespace NetbootPi.Agent.Os.Tools;

/// <summary>
/// Runs the system's own tools (<c>nft</c>, <c>exportfs</c>, <c>wg</c>, ...): the one way the agent starts a
/// program.
/// </summary>
/// <remarks>
/// A tool gets its arguments as an argv, never through a shell, so nothing in a site file is ever interpreted as
/// shell syntax. <see cref="RunAsync"/> returns the tool's exit status and output whatever the status; it throws
/// <see cref="ToolException"/> only when the tool could not be run or did not finish in its time (it is then
/// killed). Cancelling kills the tool too: unlike a systemd job, nothing is left running on its own.
/// </remarks>
public interface IToolRunner
{
    Task<ToolResult> RunAsync(ToolCall call, CancellationToken cancellationToken = default);
}
