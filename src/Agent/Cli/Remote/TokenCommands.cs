using System.CommandLine;
using NetbootPi.Agent.Control.Accounts;

namespace NetbootPi.Agent.Cli.Remote;

/// <summary>
/// <c>netbootpi token create|list|revoke</c>: API tokens for scripts on other machines, over the running agent's
/// control socket (root only: admin). <c>create</c> prints the token once, alone on its line, and the agent keeps
/// only its SHA-256. Exit codes: 0 done, 1 refused or the agent unreachable, 2 the command line was wrong.
/// </summary>
internal static class TokenCommands
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var token = new Command("token", "API tokens for scripts that call the running agent over the network (needs root)");
        token.Subcommands.Add(New(stdout, stderr));
        token.Subcommands.Add(List(stdout));
        token.Subcommands.Add(Revoke(stdout));
        return token;
    }

    private static Command New(TextWriter stdout, TextWriter stderr)
    {
        var name = new Argument<string>("NAME") { Description = "what the token is for (a script, a machine)" };
        var role = UserCommands.RoleOption("token");
        var hosts = new Option<string[]>("--host") { Description = "limit the token to this host (repeat for more): it may read, and change only what concerns its hosts", HelpName = "HOST", AllowMultipleArgumentsPerToken = false };
        var command = new Command("create", "make a token; it is printed once and cannot be shown again") { name, role, hosts, SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (_, body, r) = await client.SendAsync(HttpMethod.Post, AccountEndpoints.TokensPath,
                new TokenCreateRequest(parse.GetValue(name)!, parse.GetValue(role)!, parse.GetValue(hosts) ?? []), AccountJson.Default.TokenCreateRequest,
                AccountJson.Default.TokenCreatedReply, cancellation).ConfigureAwait(false);
            if (parse.GetValue(SocketOption.Json))
            {
                stdout.WriteLine(body);
                return CommandLine.ExitOk;
            }
            stdout.WriteLine(r.Secret);
            stderr.WriteLine($"token {r.Token.Id} ({r.Token.Name}), role {r.Token.Role}{(r.Token.Hosts.Length > 0 ? $", hosts {string.Join(", ", r.Token.Hosts)}" : "")}: shown this once; send it as 'Authorization: Bearer TOKEN'");
            return CommandLine.ExitOk;
        });
        return command;
    }

    private static Command List(TextWriter stdout)
    {
        var command = new Command("list", "the tokens, with their last use (to the minute)") { SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (_, body, tokens) = await client.SendAsync(HttpMethod.Get, AccountEndpoints.TokensPath, AccountJson.Default.TokenReplyArray, cancellation).ConfigureAwait(false);
            if (parse.GetValue(SocketOption.Json))
            {
                stdout.WriteLine(body);
                return CommandLine.ExitOk;
            }
            if (tokens.Length == 0)
            {
                stdout.WriteLine("no tokens (netbootpi token create NAME --role ROLE makes one)");
                return CommandLine.ExitOk;
            }
            stdout.WriteLine($"{"ID",-12} {"NAME",-20} {"ROLE",-9} {"HOSTS",-16} {"CREATED",-18} {"LAST USED",-18} STATE");
            foreach (var t in tokens)
                stdout.WriteLine($"{t.Id,-12} {t.Name,-20} {t.Role,-9} {(t.Hosts.Length == 0 ? "all" : string.Join(",", t.Hosts)),-16} {UserCommands.Time(t.Created),-18} {(t.LastUsed is { } u ? UserCommands.Time(u) : "never"),-18} {(t.Revoked ? $"revoked {UserCommands.Time(t.RevokedAt!.Value)}" : "active")}");
            return CommandLine.ExitOk;
        });
        return command;
    }

    private static Command Revoke(TextWriter stdout)
    {
        var id = new Argument<string>("ID") { Description = "the token's id, as token list shows it" };
        var command = new Command("revoke", "revoke a token for good") { id, SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (_, body, r) = await client.SendAsync(HttpMethod.Post, AccountEndpoints.TokenRevokePath,
                new TokenIdRequest(parse.GetValue(id)!), AccountJson.Default.TokenIdRequest, AccountJson.Default.AccountDoneReply, cancellation).ConfigureAwait(false);
            stdout.WriteLine(parse.GetValue(SocketOption.Json) ? body : r.Message);
            return CommandLine.ExitOk;
        });
        return command;
    }
}
