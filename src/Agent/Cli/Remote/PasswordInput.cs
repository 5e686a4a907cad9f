using System.Text;

namespace NetbootPi.Agent.Cli.Remote;

/// <summary>
/// A new password for <c>user add</c> and <c>user passwd</c>: typed twice at the terminal without echo, or one line
/// on standard input (<c>--password-stdin</c>, for scripts: never on the command line, where <c>ps</c> shows it).
/// </summary>
internal static class PasswordInput
{
    /// <summary>The password, or null after saying on <paramref name="stderr"/> why there is none.</summary>
    public static string? Read(bool fromStdin, string user, TextWriter stderr)
    {
        if (fromStdin)
        {
            var line = Console.In.ReadLine();
            if (line is null) stderr.WriteLine("netbootpi: --password-stdin: standard input ended before a password line");
            return line;
        }
        if (Console.IsInputRedirected)
        {
            stderr.WriteLine("netbootpi: no terminal to read the password from: give it on standard input with --password-stdin");
            return null;
        }
        var first = Prompt($"password for {user}: ", stderr);
        var second = Prompt("the same again: ", stderr);
        if (first == second) return first;
        stderr.WriteLine("netbootpi: the two passwords differ; nothing changed");
        return null;
    }

    private static string Prompt(string prompt, TextWriter stderr)
    {
        stderr.Write(prompt);
        stderr.Flush();
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0) text.Length--;
                continue;
            }
            if (!char.IsControl(key.KeyChar)) text.Append(key.KeyChar);
        }
        stderr.WriteLine();
        return text.ToString();
    }
}
