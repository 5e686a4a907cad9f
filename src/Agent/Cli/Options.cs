using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Cli;

/// <summary>The few options the commands share: positional arguments and <c>--config FILE</c>.</summary>
internal sealed record Options(IReadOnlyList<string> Positional, string Config, string? HttpListen = null)
{
    public static bool TryParse(ReadOnlySpan<string> args, int positional, out Options options, out string error)
    {
        var config = SiteFile.DefaultPath;
        string? httpListen = null;
        var rest = new List<string>();
        options = new Options(rest, config, null);
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (a is "--config" or "-c")
            {
                if (i + 1 >= args.Length)
                {
                    error = $"{a} needs a file name";
                    return false;
                }
                config = args[++i];
            }
            else if (a.StartsWith("--config=", StringComparison.Ordinal)) config = a["--config=".Length..];
            else if (a == "--http-listen")
            {
                if (i + 1 >= args.Length)
                {
                    error = $"{a} needs ADDRESS:PORT";
                    return false;
                }
                httpListen = args[++i];
            }
            else if (a.StartsWith('-') && a.Length > 1)
            {
                error = $"unknown option '{a}'";
                return false;
            }
            else if (rest.Count < positional) rest.Add(a);
            else
            {
                error = $"unexpected argument '{a}'";
                return false;
            }
        }
        options = new Options(rest, config, httpListen);
        error = "";
        return true;
    }
}
