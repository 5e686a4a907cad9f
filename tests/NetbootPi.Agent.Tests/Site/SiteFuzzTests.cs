namespace NetbootPi.Agent.Tests.Site;

/// <summary>A damaged site file gets errors, never an exception: the loader runs on files people edit by hand.</summary>
public class SiteFuzzTests
{
    [Fact]
    public void Mutated_example_files_never_throw()
    {
        var original = SiteText.Example;
        var rng = new Random(20261123);
        const string alphabet = ":{}[],-#&*!|>'\"%@` \n\t.0123456789abcxyz/";
        for (var round = 0; round < 3000; round++)
        {
            var chars = original.ToCharArray().ToList();
            var edits = rng.Next(1, 6);
            for (var e = 0; e < edits; e++)
            {
                var at = rng.Next(chars.Count);
                switch (rng.Next(3))
                {
                    case 0: chars[at] = alphabet[rng.Next(alphabet.Length)]; break;
                    case 1: chars.Insert(at, alphabet[rng.Next(alphabet.Length)]); break;
                    default: chars.RemoveAt(at); break;
                }
            }
            if (rng.Next(10) == 0) chars = chars.Take(rng.Next(chars.Count)).ToList();
            var text = new string(chars.ToArray());
            var result = SiteText.Load(text);
            // Either a valid site or at least one error, each with a position inside the file.
            Assert.True(result.IsValid || result.Errors.Count > 0);
            Assert.All(result.Errors, err => Assert.InRange(err.Location.Line, 0, text.Count(c => c == '\n') + 2));
        }
    }

    [Fact]
    public void Alias_bombs_are_cut_off()
    {
        var text = "a: &a [x, x, x, x, x, x, x, x, x]\n" +
                   string.Concat(Enumerable.Range(0, 150).Select(i => $"b{i}: *a\n"));
        var errors = SiteText.Errors(text);
        Assert.Contains(errors, e => e.Contains("too many aliases (expected at most 100)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_tag_that_is_no_uri_is_an_error_not_an_exception()
    {
        // Found by fuzzing (bench/fuzz.sh site): YamlDotNet throws ArgumentException, not a YamlException, for it.
        var errors = SiteText.Errors("!!]d");
        Assert.Contains(errors, e => e.Contains("a tag ('!' or '!!' before a value) that is not a valid URI", StringComparison.Ordinal));
    }
}
