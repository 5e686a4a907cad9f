using NetbootPi.Agent.Site;

namespace NetbootPi.Fuzz.Targets;

/// <summary>
/// The site file (<see cref="SiteFile"/>: YAML, then every section's reader and the cross checks), as a person
/// edits it or an admin uploads it through the console: a valid site or at least one error, each error at a
/// line of the file, and bounded work and memory however the YAML nests or aliases.
/// </summary>
public sealed class SiteTarget : FuzzTarget
{
    public override string Name => "site";

    public override IEnumerable<KeyValuePair<string, byte[]>> Seeds()
    {
        var example = File.ReadAllText(RepoFiles.PathOf("examples/netsoc.yaml"));
        yield return new("netsoc", System.Text.Encoding.UTF8.GetBytes(example));
        // Each top-level section alone: short inputs run faster and reach each section's reader directly.
        var sections = example.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < sections.Length; i++)
            yield return new($"section-{i}", System.Text.Encoding.UTF8.GetBytes(sections[i] + "\n"));
        yield return new("aliases", "a: &a [x, x, x]\nb: *a\nc: [*a, *a]\n"u8.ToArray());
        yield return new("flow", "{site: {name: x, domain: y}, networks: [{name: n, vlan: 1}]}\n"u8.ToArray());
    }

    public override void Run(ReadOnlySpan<byte> input)
    {
        var bytes = input.ToArray();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = SiteFile.Parse("fuzz.yaml", bytes);
        // YAML's tokens, nodes and the inventory: measured at about 150 bytes per input byte on the example, and
        // the alias expansion is capped; a bound far above that still catches a node count the text does not carry.
        CheckAllocation("site parse", before, input.Length, 4 << 20, 4096);
        Require(result.IsValid || result.Errors.Count > 0, "neither a site nor an error");
        var lines = 1 + LineBreaks(input);
        foreach (var error in result.Errors)
            Require(error.Location.Line >= 0 && error.Location.Line <= lines + 1,
                $"an error at line {error.Location.Line} of a {lines}-line file: {error}");
    }

    /// <summary>
    /// Line breaks as YAML counts them (YAML 1.1 §4.1.4, which YamlDotNet follows): CR LF, a lone CR, LF, and NEL,
    /// LS and PS; an editor that shows a lone CR as ^M puts the error on an earlier line, the YAML position is
    /// still inside the file.
    /// </summary>
    private static int LineBreaks(ReadOnlySpan<byte> input)
    {
        var text = System.Text.Encoding.UTF8.GetString(input);
        var breaks = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n': break;
                case '\r' or '\n' or '\u0085' or '\u2028' or '\u2029': breaks++; break;
            }
        }
        return breaks;
    }
}
