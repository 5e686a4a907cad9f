using YamlDotNet.Core;

namespace NetbootPi.Agent.Site.Yaml;

/// <summary>
/// YamlDotNet's syntax errors as sentences about the file, at the place a person would look: its messages
/// ("While scanning a plain scalar, found a tab character that violate indentation") describe the scanner's state,
/// and its position is sometimes the start of the value being scanned rather than the offending character.
/// </summary>
internal static class YamlSyntaxErrors
{
    public static ((int Line, int Column) At, string Message) Describe(YamlException e, string text)
    {
        var message = e.Message;
        var cut = message.LastIndexOf("): ", StringComparison.Ordinal); // "(Line: 3, Col: 5, Idx: 20) - (...): "
        message = (cut >= 0 ? message[(cut + 3)..] : message).TrimEnd('.');
        var start = ((int)e.Start.Line, (int)e.Start.Column);
        var lines = text.Split('\n');

        if (message.Contains("tab", StringComparison.Ordinal))
            return (FirstIndentingTab(lines, start.Item1) ?? start, "a tab in the indentation (YAML indents with spaces only)");
        if (message.Contains("quoted scalar, found unexpected end of stream", StringComparison.Ordinal))
            return (start, "a quote that is never closed");
        if (message.Contains("double-quoted scalar, found wrong indentation", StringComparison.Ordinal)
            || message.Contains("single-quoted scalar, found wrong indentation", StringComparison.Ordinal))
            return (start, "a quoted value runs on into the next lines (is its closing quote missing?)");
        if (message.Contains("found invalid mapping", StringComparison.Ordinal))
            return (start, "a ':' where no key can start: a key indented differently from the keys beside it, or a value holding ': ' (put such a value in quotes)");
        if (message.Contains("did not find expected key", StringComparison.Ordinal))
            return (start, "expected a 'key: value' line here (is this line indented as the keys beside it?)");
        if (message.Contains("cannot start any token", StringComparison.Ordinal))
            return (start, $"{CharacterAt(lines, start)} cannot start a value (put the value in quotes)");
        if (message.Contains("did not find expected ',' or ']'", StringComparison.Ordinal))
            return (start, "a list in [ ] that is not closed, or a missing ',' between its items");
        if (message.Contains("did not find expected ',' or '}'", StringComparison.Ordinal))
            return (start, "a mapping in { } that is not closed, or a missing ',' between its entries");
        if (message.Contains("<document start>", StringComparison.Ordinal))
            return (start, "expected 'key: value' lines (a key longer than 1024 characters is not read as a key)");
        if (message.Contains("<document end>", StringComparison.Ordinal))
            return (start, "more text after the document's end (is a line indented less than it should be?)");
        if (message.Contains("found duplicate anchor", StringComparison.Ordinal) || message.Contains("anchor", StringComparison.Ordinal))
            return (start, "an anchor (&name) used in a way YAML does not allow");
        // Otherwise the parser's own words, without its "While scanning/parsing ..." preamble.
        var found = message.IndexOf(", found ", StringComparison.Ordinal);
        var did = message.IndexOf(", did not find ", StringComparison.Ordinal);
        var tail = found >= 0 ? message[(found + 2)..] : did >= 0 ? message[(did + 2)..] : message;
        return (start, tail);
    }

    /// <summary>The first tab in the leading whitespace of a line at or after <paramref name="fromLine"/> (1-based).</summary>
    private static (int, int)? FirstIndentingTab(string[] lines, int fromLine)
    {
        for (var i = Math.Max(0, fromLine - 1); i < lines.Length; i++)
        {
            var line = lines[i];
            for (var c = 0; c < line.Length && line[c] is ' ' or '\t'; c++)
                if (line[c] == '\t') return (i + 1, c + 1);
        }
        return null;
    }

    private static string CharacterAt(string[] lines, (int Line, int Column) at) =>
        at.Line >= 1 && at.Line <= lines.Length && at.Column >= 1 && at.Column <= lines[at.Line - 1].Length
            ? $"'{lines[at.Line - 1][at.Column - 1]}'"
            : "this character";
}
