using System.CommandLine;
using NetbootPi.Agent.Control;

namespace NetbootPi.Agent.Cli.Remote;

/// <summary><c>--socket PATH</c>, given anywhere on the line: the running agent's control socket.</summary>
internal static class SocketOption
{
    public static readonly Option<string> Socket = new("--socket")
    {
        Description = $"the running agent's control socket (default: ${ControlSocketPath.EnvironmentVariable}, else /run/netbootpi/{ControlSocketPath.FileName})",
        HelpName = "PATH",
        Recursive = true,
        DefaultValueFactory = _ => ControlSocketPath.Default,
    };

    public static readonly Option<bool> Json = new("--json") { Description = "print the agent's answer as JSON, for scripts" };

    public static ControlClient Client(ParseResult parse) => new(parse.GetValue(Socket) ?? ControlSocketPath.Default);
}
