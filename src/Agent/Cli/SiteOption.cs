using System.CommandLine;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Cli;

/// <summary>
/// <c>--config FILE</c> (<c>-c</c>), given anywhere on the line, and loading the site once: every command that
/// needs the site gets it from here, or its errors are printed and the command ends.
/// </summary>
internal static class SiteOption
{
    public static readonly Option<string> Config = new("--config", "-c")
    {
        Description = "the site file",
        HelpName = "FILE",
        Recursive = true,
        DefaultValueFactory = _ => SiteFile.DefaultPath,
    };

    /// <summary>The path <c>--config</c> names, or the default.</summary>
    public static string PathOf(ParseResult parse) => parse.GetValue(Config) ?? SiteFile.DefaultPath;

    /// <summary>The site from <paramref name="path"/> (or <c>--config</c>); null after printing its errors to <paramref name="stderr"/>.</summary>
    public static SiteInventory? Load(ParseResult parse, TextWriter stderr, string? path = null)
    {
        var result = SiteFile.Load(path ?? PathOf(parse));
        if (result.Inventory is { } site) return site;
        foreach (var e in result.Errors) stderr.WriteLine(e);
        return null;
    }
}
