using NetbootPi.Agent.Os.Tools;

namespace NetbootPi.Agent.Tests.Apply.Network;

/// <summary>
/// The real <see cref="ToolRunner"/>, with every tool run inside a network namespace of the test's own
/// (<c>ip netns exec NS TOOL ...</c>): nft and ip act on that namespace's ruleset and links, never the machine's.
/// </summary>
internal sealed class NamespacedTools(string ns) : IToolRunner
{
    private readonly ToolRunner _real = new(TimeProvider.System);

    public List<ToolCall> Calls { get; } = [];

    public async Task<ToolResult> RunAsync(ToolCall call, CancellationToken cancellationToken = default)
    {
        lock (Calls) Calls.Add(call);
        var inside = new ToolCall("ip", ["netns", "exec", ns, call.Program, .. call.Arguments]) { Input = call.Input, Timeout = call.Timeout };
        var result = await _real.RunAsync(inside, cancellationToken);
        return result with { Call = call };
    }
}
