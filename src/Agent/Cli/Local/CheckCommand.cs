using System.CommandLine;
using NetbootPi.Agent.Render.Nfs;
using NetbootPi.Agent.Reports;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Cli.Local;

/// <summary><c>netbootpi check [FILE|-]</c>: a one-screen summary of a valid file, or every error and exit 1.</summary>
internal static class CheckCommand
{
    /// <summary>The name standard input goes by in error locations.</summary>
    public const string StandardInputName = "(standard input)";

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<string?>("FILE")
        {
            Description = "the site file ('-': standard input; default: --config, or " + SiteFile.DefaultPath + ")",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("check", "validate a site file; print a summary, or every error (exit 1)") { file };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file) ?? SiteOption.PathOf(parse);
            var result = path == "-" ? SiteFile.Parse(StandardInputName, ReadStandardInput()) : SiteFile.Load(path);
            var name = path == "-" ? StandardInputName : path;
            if (result.Inventory is not { } site)
            {
                foreach (var e in result.Errors) stderr.WriteLine(e);
                stderr.WriteLine($"{name}: {result.Errors.Count} error{(result.Errors.Count == 1 ? "" : "s")}");
                return CommandLine.ExitInvalid;
            }
            SiteSummary.Write(name, site, stdout);
            // Warnings, not errors: the site is valid and every machine still gets its address and boot offer.
            foreach (var notice in NfsExports.Render(site).Notices) stderr.WriteLine(notice);
            return CommandLine.ExitOk;
        });
        return command;
    }

    /// <summary>Standard input as bytes, at most one byte past the site-file limit (the reader refuses more).</summary>
    private static byte[] ReadStandardInput()
    {
        using var input = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int n;
        while ((n = input.Read(chunk)) > 0 && buffer.Length <= SiteFile.MaxBytes) buffer.Write(chunk, 0, n);
        return buffer.ToArray();
    }
}
