namespace NetbootPi.Agent.Site.Yaml;

/// <summary>
/// The site file as a plain tree with a position on every node. Built from parser events (not YamlDotNet's
/// representation model) so that duplicate keys become errors with positions instead of exceptions without.
/// </summary>
public abstract class YamlNode(SourceLocation location)
{
    public SourceLocation Location { get; } = location;

    /// <summary>What the node is, for messages: "a mapping", "a list", "a value".</summary>
    public abstract string Describe();
}

public sealed class YamlScalar(SourceLocation location, string value, bool isPlain) : YamlNode(location)
{
    public string Value { get; } = value;

    /// <summary>Unquoted; only plain scalars can be null or a boolean in YAML's core schema.</summary>
    public bool IsPlain { get; } = isPlain;

    /// <summary><c>key:</c> with nothing after it, <c>~</c> or <c>null</c>.</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string Describe() => IsNull ? "nothing" : $"'{Value}'";
}

public sealed class YamlMapping(SourceLocation location, IReadOnlyList<KeyValuePair<YamlScalar, YamlNode>> entries)
    : YamlNode(location)
{
    /// <summary>Entries in file order; keys are unique (the tree reader reports duplicates).</summary>
    public IReadOnlyList<KeyValuePair<YamlScalar, YamlNode>> Entries { get; } = entries;

    public override string Describe() => "a mapping";
}

public sealed class YamlSequence(SourceLocation location, IReadOnlyList<YamlNode> items) : YamlNode(location)
{
    public IReadOnlyList<YamlNode> Items { get; } = items;

    public override string Describe() => "a list";
}
