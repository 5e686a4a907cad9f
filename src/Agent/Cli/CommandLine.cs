using System.Reflection;

namespace NetbootPi.Agent.Cli;

/// <summary>The <c>netbootpi</c> command line: parses the verb and hands off to one command.</summary>
public static class CommandLine
{
    public const int ExitOk = 0;
    public const int ExitInvalid = 1;
    public const int ExitUsage = 2;

    public static string Version =>
        typeof(CommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            .Split('+')[0] ?? "0.0.0";

    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 1 && args[0] is "--version" or "version")
        {
            stdout.WriteLine($"netbootpi {Version}");
            return Task.FromResult(ExitOk);
        }
        stderr.WriteLine("usage: netbootpi --version");
        return Task.FromResult(ExitUsage);
    }
}
