using System.CommandLine;

namespace NetbootPi.Agent.Cli;

/// <summary>
/// Shell completion: <c>netbootpi completion bash|zsh</c> prints a script for the shell to load (<c>source
/// &lt;(netbootpi completion bash)</c>, or a file in <c>/etc/bash_completion.d/</c>), and the script asks the
/// hidden <c>netbootpi __complete LINE</c> for the candidates: the parser's own view of the line up to the cursor
/// (commands, options, an option's or argument's values), so the completion never falls behind the commands.
/// </summary>
internal static class CompletionCommand
{
    public const string HiddenName = "__complete";

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var shell = new Argument<string>("SHELL") { Description = "bash or zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var command = new Command("completion", "print the shell's completion script: source <(netbootpi completion bash), or for zsh put it in a file on $fpath named _netbootpi") { shell };
        command.SetAction(parse =>
        {
            stdout.Write(parse.GetValue(shell) == "zsh" ? Zsh : Bash);
            return CommandLine.ExitOk;
        });
        return command;
    }

    /// <summary>The hidden command the scripts call: the candidates for the line (up to the cursor), one per line.</summary>
    public static Command Hidden(Func<Command> root, TextWriter stdout)
    {
        var line = new Argument<string>("LINE") { Description = "the command line up to the cursor, starting with netbootpi" };
        var command = new Command(HiddenName, "completion candidates for a command line (the completion scripts call it)") { line };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            var text = parse.GetValue(line)!;
            // The line starts with however the user called us (netbootpi, ./netbootpi, a path): the root takes its place.
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            var rest = space < 0 ? "" : text[(space + 1)..];
            var result = root().Parse(rest);
            // The parser matches anywhere in a word; a shell completes what the word starts with. Help's /?, /h and -?
            // aliases are for other platforms' habits, not worth a candidate.
            var word = rest[(rest.LastIndexOf(' ') + 1)..];
            foreach (var item in result.GetCompletions(rest.Length).Select(c => c.Label)
                .Where(l => l.StartsWith(word, StringComparison.Ordinal) && l is not HiddenName && !l.StartsWith('/') && l != "-?").Distinct())
                stdout.WriteLine(item);
            return CommandLine.ExitOk;
        });
        return command;
    }

    private const string Bash = """
        # bash completion for netbootpi: source <(netbootpi completion bash)
        _netbootpi() {
            local IFS=$'\n'
            COMPREPLY=($(netbootpi __complete "${COMP_LINE:0:COMP_POINT}" 2>/dev/null))
        }
        complete -o default -F _netbootpi netbootpi

        """;

    private const string Zsh = """
        #compdef netbootpi
        # zsh completion for netbootpi: save as _netbootpi in a directory on $fpath (then compinit), or source it.
        _netbootpi() {
            local -a candidates
            candidates=("${(@f)$(netbootpi __complete "${(j: :)words[1,CURRENT]}" 2>/dev/null)}")
            compadd -a candidates
        }
        if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _netbootpi "$@"; else compdef _netbootpi netbootpi; fi

        """;
}
