using System.Net.Sockets;
using System.CommandLine;
using NetbootPi.Agent.Control;

namespace NetbootPi.Agent.Cli.Remote;

/// <summary>
/// Where the commands that act on the running box send their requests, given anywhere on the line: the control
/// socket (<c>--socket PATH</c>), or a remote box's network API (<c>--url https://BOX[:PORT]</c> with
/// <c>--token</c>, and <c>--cacert</c> or <c>--fingerprint</c> to trust its certificate); <c>NETBOOTPI_URL</c> and
/// <c>NETBOOTPI_TOKEN</c> stand in for the options (a token in the environment is not in <c>ps</c>).
/// </summary>
internal static class SocketOption
{
    public const string UrlVariable = "NETBOOTPI_URL";
    public const string TokenVariable = "NETBOOTPI_TOKEN";

    public static readonly Option<string> Socket = new("--socket")
    {
        Description = $"the running agent's control socket (default: ${ControlSocketPath.EnvironmentVariable}, else /run/netbootpi/{ControlSocketPath.FileName})",
        HelpName = "PATH",
        Recursive = true,
        DefaultValueFactory = _ => ControlSocketPath.Default,
    };

    public static readonly Option<string> Url = new("--url")
    {
        Description = $"talk to a remote box's network API instead of the socket (default: ${UrlVariable}); needs a token",
        HelpName = "https://BOX[:PORT]",
        Recursive = true,
        CustomParser = r =>
        {
            var text = r.Tokens[0].Value;
            if (ParseUrl(text) is { } why) r.AddError($"--url: {why}");
            return text;
        },
    };

    public static readonly Option<string> Token = new("--token")
    {
        Description = $"the API token for --url (default: ${TokenVariable}, which ps does not show)",
        HelpName = "nbp_...",
        Recursive = true,
    };

    public static readonly Option<string> CaCert = new("--cacert")
    {
        Description = "with --url: trust the box's certificate by this PEM file (its api-cert.pem, or the CA that signed it)",
        HelpName = "FILE",
        Recursive = true,
    };

    public static readonly Option<string> Fingerprint = new("--fingerprint")
    {
        Description = "with --url: trust the box's certificate by its SHA-256 fingerprint (netbootpi status prints it on the box)",
        HelpName = "SHA256",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json") { Description = "print the agent's answer as JSON, for scripts" };

    /// <summary>Every option that says where requests go, for the root command.</summary>
    public static IEnumerable<Option> All => [Socket, Url, Token, CaCert, Fingerprint];

    /// <summary>The remote box's URL (<c>--url</c>, else <c>NETBOOTPI_URL</c>), or null for the socket.</summary>
    public static string? RemoteUrl(ParseResult parse) =>
        parse.GetValue(Url) ?? (Environment.GetEnvironmentVariable(UrlVariable) is { Length: > 0 } url ? url : null);

    /// <summary>True when requests go to a remote box, not the socket.</summary>
    public static bool IsRemote(ParseResult parse) => RemoteUrl(parse) is not null;

    /// <summary>The client these options name. Throws <see cref="ControlClientException"/> when they do not fit together.</summary>
    public static ControlClient Client(ParseResult parse)
    {
        if (RemoteUrl(parse) is not { } url)
        {
            if (parse.GetValue(Token) is not null || parse.GetValue(CaCert) is not null || parse.GetValue(Fingerprint) is not null)
                throw new ControlClientException($"--token, --cacert and --fingerprint go with --url (or ${UrlVariable}): without it the CLI uses the control socket");
            return new(parse.GetValue(Socket) ?? ControlSocketPath.Default);
        }
        if (ParseUrl(url) is { } why) throw new ControlClientException($"${UrlVariable}: {why}");
        var token = parse.GetValue(Token) ?? Environment.GetEnvironmentVariable(TokenVariable);
        if (string.IsNullOrWhiteSpace(token))
            throw new ControlClientException($"{url} needs an API token: --token nbp_... or ${TokenVariable} (netbootpi token create NAME --role ROLE on the box makes one)");
        return new(new Uri(url), token.Trim(), RemoteTrust.Create(parse.GetValue(CaCert), parse.GetValue(Fingerprint)));
    }

    /// <summary>
    /// Whether the commands that can work without the agent (power, leases) should ask it: a remote box is named, or
    /// an agent accepts connections on the socket.
    /// </summary>
    public static bool AgentReachable(ParseResult parse) => IsRemote(parse) || AgentListens(parse.GetValue(Socket) ?? ControlSocketPath.Default);

    private static bool AgentListens(string socket)
    {
        if (!File.Exists(socket)) return false;
        using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            s.Connect(new UnixDomainSocketEndPoint(socket));
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode != SocketError.AccessDenied)
        {
            // A socket file left by an agent that was killed: nobody there.
            return false;
        }
        catch (SocketException)
        {
            // There, but not for this user: the request says so in a sentence.
            return true;
        }
    }

    /// <summary>Why <paramref name="text"/> is not a URL of a box's API, or null when it is.</summary>
    private static string? ParseUrl(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Host.Length == 0) return $"'{text}' is not a URL (expected https://BOX[:PORT])";
        if (uri.Scheme != Uri.UriSchemeHttps) return $"'{text}' is not https: the API answers over TLS only (plain HTTP only redirects)";
        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0) return $"'{text}' has more than https://BOX[:PORT] (the token goes in --token)";
        return null;
    }
}
