using NetbootPi.Agent.Cli;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Cli;

/// <summary>
/// Shell completion: the candidates the parser gives for a line, and the scripts run by the real shells (bash
/// completes a line with the built netbootpi on its PATH; zsh reads its script without an error).
/// </summary>
public class CompletionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-completion-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<string[]> Candidates(string line)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        Assert.Equal(0, await CommandLine.RunAsync(["__complete", line], o, e, TestContext.Current.CancellationToken));
        Assert.Equal("", e.ToString());
        return o.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public async Task The_parser_gives_commands_subcommands_options_and_values_for_the_line_so_far()
    {
        Assert.Equal(["site"], await Candidates("netbootpi sit"));
        Assert.Equal(["apply", "get", "rollback", "validate"], (await Candidates("netbootpi site ")).Where(c => !c.StartsWith('-')).Order());
        Assert.Contains("--follow", await Candidates("/usr/bin/netbootpi events --f"));
        Assert.Equal(["bash", "zsh"], (await Candidates("netbootpi completion ")).Where(c => !c.StartsWith('-')).Order());
        // The hidden command is not offered.
        Assert.DoesNotContain(CompletionCommand.HiddenName, await Candidates("netbootpi "));
        Assert.Contains("completion", await Candidates("netbootpi "));
    }

    [Fact]
    public async Task Bash_completes_with_the_printed_script_and_zsh_reads_its_own()
    {
        var bash = Peers.Require("bash", "bash");
        var zsh = Peers.Require("zsh", "zsh");
        var ct = TestContext.Current.CancellationToken;
        foreach (var shell in new[] { "bash", "zsh" })
        {
            var o = new StringWriter();
            Assert.Equal(0, await CommandLine.RunAsync(["completion", shell], o, TextWriter.Null, ct));
            File.WriteAllText(Path.Combine(_dir, shell), o.ToString());
        }
        var path = $"{Path.GetDirectoryName(AgentProcess.Executable)}:{Environment.GetEnvironmentVariable("PATH")}";
        var (code, stdout, stderr) = await Tool.RunAsync(bash, ["-c",
            $"export PATH='{path}'; source {_dir}/bash; COMP_LINE='netbootpi site ro'; COMP_POINT=${{#COMP_LINE}}; _netbootpi; printf '%s\\n' \"${{COMPREPLY[@]}}\""], ct);
        Assert.True(code == 0, stderr);
        Assert.Equal("rollback\n", stdout);
        (code, stdout, stderr) = await Tool.RunAsync(bash, ["-c",
            $"export PATH='{path}'; source {_dir}/bash; COMP_LINE='netbootpi media a'; COMP_POINT=${{#COMP_LINE}}; _netbootpi; printf '%s\\n' \"${{COMPREPLY[@]}}\" | sort"], ct);
        Assert.True(code == 0, stderr);
        Assert.Equal("add\nattach\n", stdout);
        (code, _, stderr) = await Tool.RunAsync(zsh, ["-n", Path.Combine(_dir, "zsh")], ct);
        Assert.True(code == 0, stderr);
    }
}
