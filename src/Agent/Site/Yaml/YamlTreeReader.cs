using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace NetbootPi.Agent.Site.Yaml;

/// <summary>Reads one YAML document into a <see cref="YamlNode"/> tree, collecting errors instead of throwing.</summary>
public static class YamlTreeReader
{
    // Aliases may point at large subtrees; the site file never needs many, and a cap stops "billion laughs".
    private const int MaxAliases = 100;

    /// <summary>
    /// How deep values may nest. A site file needs six levels (hosts.NAME.recovery.probe ...); the cap keeps a
    /// file of brackets from recursing the reader off its stack, which would end the process, not the read.
    /// </summary>
    public const int MaxDepth = 32;

    /// <returns>The root node, or null when the text is not YAML (the errors say why) or is empty.</returns>
    public static YamlNode? Read(string file, string text, List<SiteError> errors)
    {
        var parser = new Parser(new StringReader(text));
        var state = new State(file, errors);
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _)) return null;
            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, state, "", depth: 1);
            parser.Consume<DocumentEnd>();
            if (!parser.Accept<StreamEnd>(out _))
            {
                var extra = parser.Current!;
                errors.Add(new SiteError(state.At(extra.Start), "(document)",
                    "a second YAML document (expected one document; remove the '---')"));
            }
            return root;
        }
        catch (YamlException e)
        {
            var (at, message) = YamlSyntaxErrors.Describe(e, text);
            errors.Add(new SiteError(new SourceLocation(file, at.Line, at.Column), Path(state.LastPath), $"not valid YAML: {message}"));
            return null;
        }
        catch (TooDeepException deep)
        {
            // Nothing after it is read: scanning further into such a file costs time for nothing but more errors.
            errors.Add(new SiteError(deep.At, Path(deep.Path), $"values nested more than {MaxDepth} levels deep (a site file needs a few)"));
            return null;
        }
        catch (ArgumentException)
        {
            // YamlDotNet's parser throws this (not a YamlException) for a tag that is no valid URI, e.g. "!!]d"
            // (found by fuzzing: bench/fuzz/regressions/site/invalid-tag-uri.yaml).
            errors.Add(new SiteError(state.At(state.LastMark), Path(state.LastPath),
                "not valid YAML: a tag ('!' or '!!' before a value) that is not a valid URI (put a value that starts with '!' in quotes)"));
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this (not a YamlException) on some truncated input, e.g. an unclosed
            // flow list at the end of the file; the last event read is the best position we have.
            errors.Add(new SiteError(state.At(state.LastMark), Path(state.LastPath),
                "not valid YAML: the file ends inside an unfinished value (is a '[', '{' or quote left open?)"));
            return null;
        }
    }

    private sealed class TooDeepException(SourceLocation at, string path) : Exception
    {
        public SourceLocation At { get; } = at;
        public string Path { get; } = path;
    }

    private sealed class State(string file, List<SiteError> errors)
    {
        public string File { get; } = file;
        public List<SiteError> Errors { get; } = errors;
        public Dictionary<string, YamlNode> Anchors { get; } = new(StringComparer.Ordinal);
        public int AliasCount { get; set; }
        public string LastPath { get; set; } = "";
        public Mark LastMark { get; set; } = Mark.Empty;
        public SourceLocation At(Mark mark) => new(File, (int)mark.Line, (int)mark.Column);
    }

    private static YamlNode ReadNode(IParser parser, State state, string path, int depth)
    {
        state.LastPath = path;
        if (parser.Current is { } current) state.LastMark = current.Start;
        if (depth > MaxDepth && parser.Current is NodeEvent { NestingIncrease: > 0 } deep)
            throw new TooDeepException(state.At(deep.Start), path);
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            var at = state.At(alias.Start);
            if (++state.AliasCount > MaxAliases)
            {
                state.Errors.Add(new SiteError(at, Path(path), $"too many aliases (expected at most {MaxAliases})"));
                return new YamlScalar(at, "", isPlain: true);
            }
            if (state.Anchors.TryGetValue(alias.Value.Value, out var target)) return target;
            state.Errors.Add(new SiteError(at, Path(path), $"alias *{alias.Value} names no anchor defined before it"));
            return new YamlScalar(at, "", isPlain: true);
        }

        YamlNode node;
        AnchorName anchor;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            node = new YamlScalar(state.At(scalar.Start), scalar.Value, scalar.Style == ScalarStyle.Plain);
            anchor = scalar.Anchor;
        }
        else if (parser.TryConsume<SequenceStart>(out var seqStart))
        {
            var items = new List<YamlNode>();
            while (!parser.TryConsume<SequenceEnd>(out _))
                items.Add(ReadNode(parser, state, $"{path}[{items.Count}]", depth + 1));
            node = new YamlSequence(state.At(seqStart.Start), items);
            anchor = seqStart.Anchor;
        }
        else
        {
            var mapStart = parser.Consume<MappingStart>();
            var entries = new List<KeyValuePair<YamlScalar, YamlNode>>();
            var seen = new Dictionary<string, YamlScalar>(StringComparer.Ordinal);
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                if (!parser.TryConsume<Scalar>(out var keyEvent))
                {
                    // A mapping or list used as a key: legal YAML, meaningless in a site file.
                    var bad = ReadNode(parser, state, path, depth + 1);
                    state.Errors.Add(new SiteError(bad.Location, Path(path), "a key must be a plain name (expected name: value)"));
                    ReadNode(parser, state, path, depth + 1);
                    continue;
                }
                var key = new YamlScalar(state.At(keyEvent.Start), keyEvent.Value, keyEvent.Style == ScalarStyle.Plain);
                var childPath = path.Length == 0 ? key.Value : $"{path}.{key.Value}";
                var value = ReadNode(parser, state, childPath, depth + 1);
                if (seen.TryGetValue(key.Value, out var first))
                {
                    state.Errors.Add(new SiteError(key.Location, childPath,
                        $"duplicate key (first defined at line {first.Location.Line}; expected each key once)"));
                    continue;
                }
                seen.Add(key.Value, key);
                entries.Add(new(key, value));
            }
            node = new YamlMapping(state.At(mapStart.Start), entries);
            anchor = mapStart.Anchor;
        }
        if (!anchor.IsEmpty) state.Anchors[anchor.Value] = node;
        return node;
    }

    private static string Path(string path) => path.Length == 0 ? "(document)" : path;
}
