using System.Collections.Immutable;
using System.Text;

namespace NetbootPi.Agent.Site;

/// <summary>
/// A user's template for an install file: text with <c>{{ NAME }}</c> holes filled from a fixed set of the host's
/// and the site's values (<see cref="Names"/>), and <c>{{ "TEXT" }}</c> for text that would otherwise look like a
/// hole. Nothing else: no loops, no files, no network, no code. Parsed when the site is read, so an unknown name
/// or a hole left open is an error at its line and column in the template's own file.
/// </summary>
public sealed class InstallTemplate
{
    /// <summary>A template file larger than this is refused: it is merged into a file installers fetch at boot.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>What a rendering may grow to; the values are short, so only a template made to explode reaches it.</summary>
    public const int MaxOutputChars = 256 * 1024;

    /// <summary>Every name a hole may hold.</summary>
    public static readonly ImmutableArray<string> Names =
    [
        "host.name", "host.fqdn", "host.mac", "host.ip", "host.prefix", "host.netmask", "host.gateway", "host.dns",
        "site.name", "site.domain", "box.url", "install.disk", "install.timezone", "install.user", "install.done_url",
    ];

    private readonly ImmutableArray<Part> _parts;

    private InstallTemplate(string file, ImmutableArray<Part> parts)
    {
        File = file;
        _parts = parts;
    }

    /// <summary>The template's file, for errors.</summary>
    public string File { get; }

    /// <summary>The names its holes use, each with where it first appears.</summary>
    public IEnumerable<(string Name, SourceLocation At)> Uses =>
        _parts.Where(p => p.Name is not null).DistinctBy(p => p.Name).Select(p => (p.Name!, p.At));

    /// <summary>One piece: literal text, or a hole naming a value.</summary>
    private readonly record struct Part(string? Text, string? Name, SourceLocation At);

    /// <summary>Parses <paramref name="text"/>; null when it has errors, each added to <paramref name="errors"/> at its place in <paramref name="file"/>.</summary>
    public static InstallTemplate? Parse(string file, string text, string keyPath, List<SiteError> errors)
    {
        var parts = ImmutableArray.CreateBuilder<Part>();
        var before = errors.Count;
        var i = 0;
        while (i < text.Length)
        {
            var open = text.IndexOf("{{", i, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add(new Part(text[i..], null, default));
                break;
            }
            if (open > i) parts.Add(new Part(text[i..open], null, default));
            var at = LocationOf(file, text, open);
            var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            var newline = text.IndexOf('\n', open + 2);
            if (close < 0 || (newline >= 0 && newline < close))
            {
                errors.Add(new SiteError(at, keyPath, "'{{' is not closed by '}}' on the same line (expected {{ NAME }}, or {{ \"{{\" }} for the text itself)"));
                break;
            }
            var inner = text[(open + 2)..close].Trim();
            if (inner.Length >= 2 && inner[0] == '"' && inner[^1] == '"' && inner.IndexOf('"', 1) == inner.Length - 1)
                parts.Add(new Part(inner[1..^1], null, default));
            else if (Names.Contains(inner))
                parts.Add(new Part(null, inner, at));
            else
            {
                var hint = SiteReader.Suggest(inner, Names.AsSpan());
                errors.Add(new SiteError(at, keyPath, inner.Length == 0
                    ? "an empty hole {{ }} (expected a name, one of: " + string.Join(", ", Names) + ")"
                    : $"unknown name '{inner}' ({(hint is null ? "" : $"did you mean '{hint}'? ")}expected one of: {string.Join(", ", Names)})"));
            }
            i = close + 2;
        }
        return errors.Count == before ? new InstallTemplate(file, parts.ToImmutable()) : null;
    }

    /// <summary>
    /// The template with its holes filled by <paramref name="value"/> (null: this host has no such value). Null when
    /// a hole has no value or the text grows past <see cref="MaxOutputChars"/>; <paramref name="problem"/> says which and where.
    /// </summary>
    public string? Render(Func<string, string?> value, out string? problem)
    {
        var b = new StringBuilder();
        foreach (var part in _parts)
        {
            var text = part.Name is null ? part.Text! : value(part.Name);
            if (text is null)
            {
                problem = $"{part.At}: {{{{ {part.Name} }}}} has no value for this host";
                return null;
            }
            if (b.Length + text.Length > MaxOutputChars)
            {
                problem = $"{File}: renders to more than {MaxOutputChars} characters";
                return null;
            }
            b.Append(text);
        }
        problem = null;
        return b.ToString();
    }

    private static SourceLocation LocationOf(string file, string text, int index)
    {
        var line = 1;
        var lineStart = 0;
        for (var k = 0; k < index; k++)
        {
            if (text[k] != '\n') continue;
            line++;
            lineStart = k + 1;
        }
        return new SourceLocation(file, line, index - lineStart + 1);
    }
}
