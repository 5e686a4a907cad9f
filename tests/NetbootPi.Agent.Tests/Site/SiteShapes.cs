using System.Text;

namespace NetbootPi.Agent.Tests.Site;

/// <summary>Inputs of many shapes that no site reader may choke on, each with a word of the error it must give.</summary>
internal static class SiteShapes
{
    public static IEnumerable<(string What, byte[] Bytes, string Expect)> Hostile()
    {
        yield return ("20,000 nested lists", Ascii("site: " + new string('[', 20000) + new string(']', 20000)), "nested more than 32 levels");
        yield return ("20,000 nested mappings", Ascii("site: " + string.Concat(Enumerable.Repeat("{a: ", 20000)) + "1" + new string('}', 20000)), "nested more than 32 levels");
        yield return ("deep block indentation", Ascii(string.Concat(Enumerable.Range(0, 200).Select(i => new string(' ', i * 2) + $"k{i}:\n"))), "nested more than 32 levels");
        yield return ("a Latin-1 file", [.. Encoding.Latin1.GetBytes("site: { name: l\u00e9b }\nnetworks: {}\n")], "is not UTF-8 text");
        yield return ("random binary", RandomBytes(4096, 1), "(file)");
        yield return ("NUL bytes", new byte[1000], "a NUL byte");
        yield return ("a UTF-16 file", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("site: {}\n")], "UTF-16");
        yield return ("a 1 MB key", Ascii(new string('k', 1_000_000) + ": 1\n"), "a key longer than 1024 characters");
        yield return ("a 2 MB line of flow items", Ascii("site: [" + string.Join(",", Enumerable.Repeat("x", 1_000_000)) + "]"), "expected a mapping");
        yield return ("control characters in keys", Ascii("site:\n  na\u0007me\u001b[2J: t\n"), "\\x07");
        yield return ("a file over 4 MiB", Ascii(new string('#', 5 * 1024 * 1024)), "expected a site file under 4 MiB");
        yield return ("an unclosed quote", Ascii("site:\n  name: \"t\nnetworks: {}\n"), "closing quote");
        yield return ("a tab indent", Ascii("site:\n  name: t\n\tdomain: x\n"), "a tab in the indentation");
        yield return ("an alias bomb", Ascii("a: &a [x, x, x, x, x, x, x, x, x]\n" + string.Concat(Enumerable.Range(0, 150).Select(i => $"b{i}: *a\n"))), "too many aliases");
    }

    private static byte[] Ascii(string s) => Encoding.UTF8.GetBytes(s);

    private static byte[] RandomBytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }
}
