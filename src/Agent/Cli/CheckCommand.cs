using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Cli;

/// <summary><c>netbootpi check FILE</c>: a one-screen summary of a valid file, or every error and exit 1.</summary>
internal static class CheckCommand
{
    public static int Run(string path, TextWriter stdout, TextWriter stderr)
    {
        var result = SiteFile.Load(path);
        if (result.Inventory is not { } site)
        {
            foreach (var e in result.Errors) stderr.WriteLine(e);
            stderr.WriteLine($"{path}: {result.Errors.Count} error{(result.Errors.Count == 1 ? "" : "s")}");
            return CommandLine.ExitInvalid;
        }
        Summary.Write(path, site, stdout);
        return CommandLine.ExitOk;
    }
}
