using NetbootPi.Agent.Os.Tools;

namespace NetbootPi.Agent.Tests.Os.Tools;

/// <summary>The tool runner against real programs: argv untouched, output kept, time limits enforced.</summary>
public class ToolRunnerTests
{
    private readonly FakeTimeProvider _time = new();
    private ToolRunner Runner => new(_time);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Arguments_reach_the_tool_as_they_are_never_through_a_shell()
    {
        string[] args = ["a b", "$(touch /tmp/netbootpi-pwned)", "'\"", "line\nbreak", "ünï", ""];
        var result = await Runner.RunAsync(new ToolCall("printf", ["%s\\0", .. args]), Ct);
        Assert.True(result.Succeeded);
        Assert.Equal(args, result.Output.Split('\0')[..^1]);
        Assert.False(File.Exists("/tmp/netbootpi-pwned"));
    }

    [Fact]
    public async Task A_failing_tool_gives_its_status_and_its_error_text()
    {
        var call = new ToolCall("sh", "-c", "echo partial; echo 'Error: no such table' >&2; exit 3");
        var result = await Runner.RunAsync(call, Ct);
        Assert.Equal(3, result.ExitCode);
        Assert.Equal("partial\n", result.Output);
        var e = Assert.Throws<ToolException>(() => result.ThrowIfFailed());
        Assert.Equal("sh -c 'echo partial; echo '\\''Error: no such table'\\'' >&2; exit 3' exited with 3: Error: no such table", e.Message);
    }

    [Fact]
    public async Task Input_is_written_and_closed()
    {
        var result = await Runner.RunAsync(new ToolCall("sha256sum") { Input = "table inet x {}\n" }, Ct);
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("table inet x {}\n"u8));
        Assert.Equal($"{expected}  -\n", result.Output);
    }

    [Fact]
    public async Task A_missing_program_says_so()
    {
        var e = await Assert.ThrowsAsync<ToolException>(() => Runner.RunAsync(new ToolCall("netbootpi-no-such-tool"), Ct));
        Assert.StartsWith("cannot run netbootpi-no-such-tool:", e.Message);
        Assert.EndsWith("(is it installed?)", e.Message);
    }

    [Fact]
    public async Task A_tool_past_its_time_is_killed_and_the_run_fails()
    {
        var run = Runner.RunAsync(new ToolCall("sleep", "600") { Timeout = TimeSpan.FromSeconds(10) }, Ct);
        _time.Advance(TimeSpan.FromSeconds(11));
        var e = await Assert.ThrowsAsync<ToolException>(() => run);
        Assert.Equal("sleep 600 did not finish within 10 s and was killed", e.Message);
    }

    [Fact]
    public async Task Cancelling_kills_the_tool()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var marker = Path.Combine(Path.GetTempPath(), $"netbootpi-tool-{Guid.NewGuid():N}");
        var run = Runner.RunAsync(new ToolCall("sh", "-c", $"echo $$ > {marker}; exec sleep 600"), cancel.Token);
        while (!File.Exists(marker) || new FileInfo(marker).Length == 0) await Task.Delay(10, Ct);
        var pid = int.Parse(File.ReadAllText(marker).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        File.Delete(marker);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.False(Directory.Exists($"/proc/{pid}"), "the tool still runs after its run was cancelled");
    }

    [Fact]
    public async Task Output_past_the_limit_is_read_and_dropped_so_the_tool_is_never_blocked()
    {
        var result = await Runner.RunAsync(new ToolCall("head", "-c", "5000000", "/dev/zero"), Ct);
        Assert.True(result.Succeeded);
        Assert.Equal(ToolRunner.MaxOutputChars, result.Output.Length);
    }
}
