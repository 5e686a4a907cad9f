using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Cli;

/// <summary>
/// A command's arguments: positional ones, <c>--config FILE</c> (every command), and the extra
/// <c>--name VALUE</c> options and <c>--flag</c>s that command allows.
/// </summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = [];
    public string Config => _values.GetValueOrDefault("--config") ?? SiteFile.DefaultPath;

    public string? Value(string name) => _values.GetValueOrDefault(name);
    public bool Flag(string name) => _flags.Contains(name);

    public static bool TryParse(ReadOnlySpan<string> args, int positional, out Options options, out string error,
        string[]? values = null, string[]? flags = null)
    {
        options = new Options();
        values = ["--config", .. values ?? []];
        flags ??= [];
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            var eq = a.IndexOf('=', StringComparison.Ordinal);
            var name = a.StartsWith("--", StringComparison.Ordinal) && eq > 0 ? a[..eq] : a == "-c" ? "--config" : a;
            if (values.Contains(name))
            {
                if (eq > 0) options._values[name] = a[(eq + 1)..];
                else if (i + 1 < args.Length) options._values[name] = args[++i];
                else
                {
                    error = $"{a} needs a value";
                    return false;
                }
            }
            else if (flags.Contains(a)) options._flags.Add(a);
            else if (a.StartsWith('-') && a.Length > 1)
            {
                error = $"unknown option '{a}'";
                return false;
            }
            else if (options.Positional.Count < positional) options.Positional.Add(a);
            else
            {
                error = $"unexpected argument '{a}'";
                return false;
            }
        }
        error = "";
        return true;
    }
}
