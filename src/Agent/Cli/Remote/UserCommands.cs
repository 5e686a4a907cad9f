using System.CommandLine;
using System.Globalization;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Control.Accounts;
using Status = Microsoft.AspNetCore.Http.StatusCodes;

namespace NetbootPi.Agent.Cli.Remote;

/// <summary>
/// <c>netbootpi user add|list|remove|passwd|unlock|totp</c>: the accounts that log in over the network, kept by the
/// running agent and changed over its control socket (root only: admin). Exit codes: 0 done, 1 refused (no such
/// user, exists already, a password too short) or the agent unreachable, 2 the command line was wrong.
/// </summary>
internal static class UserCommands
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var user = new Command("user", "the users who log in to the running agent over the network (needs root)");
        user.Subcommands.Add(Add(stdout, stderr));
        user.Subcommands.Add(List(stdout));
        user.Subcommands.Add(Simple("remove", "remove a user; their sessions end", AccountEndpoints.UserRemovePath, stdout, stderr));
        user.Subcommands.Add(Passwd(stdout, stderr));
        user.Subcommands.Add(Simple("unlock", "lift a lockout after failed logins", AccountEndpoints.UserUnlockPath, stdout, stderr));
        user.Subcommands.Add(TotpCommands.Create(stdout, stderr));
        user.Subcommands.Add(Hash(stdout, stderr));
        return user;
    }

    internal static Option<string> RoleOption(string what) => new("--role")
    {
        Description = $"viewer (reads), operator (acts on hosts) or admin (changes the box) for the {what}",
        HelpName = "ROLE",
        Required = true,
        CustomParser = r =>
        {
            var text = r.Tokens[0].Value;
            if (AccountStore.ParseRole(text) is not null) return text;
            r.AddError($"--role: '{text}' is not viewer, operator or admin");
            return text;
        },
    };

    private static readonly Option<bool> PasswordStdin = new("--password-stdin") { Description = "read the password from the first line of standard input instead of the terminal" };

    private static Argument<string> NameArgument() => new("NAME") { Description = "the user's name" };

    private static Command Add(TextWriter stdout, TextWriter stderr)
    {
        var name = NameArgument();
        var role = RoleOption("user");
        var command = new Command("add", "add a user; the password is asked at the terminal") { name, role, PasswordStdin, SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            var n = parse.GetValue(name)!;
            if (PasswordInput.Read(parse.GetValue(PasswordStdin), n, stderr) is not { } password) return CommandLine.ExitInvalid;
            using var client = SocketOption.Client(parse);
            return Print(parse, stdout, stderr, await client.SendAsync(HttpMethod.Post, AccountEndpoints.UsersPath,
                new UserAddRequest(n, parse.GetValue(role)!, password), AccountJson.Default.UserAddRequest, AccountJson.Default.AccountDoneReply, cancellation).ConfigureAwait(false));
        });
        return command;
    }

    private static Command Passwd(TextWriter stdout, TextWriter stderr)
    {
        var name = NameArgument();
        var command = new Command("passwd", "set a user's password; their sessions end") { name, PasswordStdin, SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            var n = parse.GetValue(name)!;
            if (PasswordInput.Read(parse.GetValue(PasswordStdin), n, stderr) is not { } password) return CommandLine.ExitInvalid;
            using var client = SocketOption.Client(parse);
            return Print(parse, stdout, stderr, await client.SendAsync(HttpMethod.Post, AccountEndpoints.UserPasswordPath,
                new PasswordRequest(n, password), AccountJson.Default.PasswordRequest, AccountJson.Default.AccountDoneReply, cancellation).ConfigureAwait(false));
        });
        return command;
    }

    private static Command Simple(string verb, string description, string path, TextWriter stdout, TextWriter stderr)
    {
        var name = NameArgument();
        var command = new Command(verb, description) { name, SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            return Print(parse, stdout, stderr, await client.SendAsync(HttpMethod.Post, path,
                new UserNameRequest(parse.GetValue(name)!), AccountJson.Default.UserNameRequest, AccountJson.Default.AccountDoneReply, cancellation).ConfigureAwait(false));
        });
        return command;
    }

    /// <summary><c>user hash</c>: a password's PHC string for the first-admin file, made here (no agent needed).</summary>
    private static Command Hash(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("hash", "print the Argon2id hash of a password, for the first-admin file (needs no agent)") { PasswordStdin };
        command.SetAction(async (parse, cancellation) =>
        {
            if (PasswordInput.Read(parse.GetValue(PasswordStdin), "the hash", stderr) is not { } password) return CommandLine.ExitInvalid;
            if (password.Length < AccountEndpoints.MinPasswordLength || password.Length > 1024)
            {
                stderr.WriteLine($"netbootpi: the password has {password.Length} characters; the agent takes {AccountEndpoints.MinPasswordLength} to 1024");
                return CommandLine.ExitInvalid;
            }
            stdout.WriteLine(await new PasswordHasher().HashAsync(password, cancellation).ConfigureAwait(false));
            return CommandLine.ExitOk;
        });
        return command;
    }

    private static Command List(TextWriter stdout)
    {
        var command = new Command("list", "the users, their roles and whether they are locked") { SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (_, body, users) = await client.SendAsync(HttpMethod.Get, AccountEndpoints.UsersPath, AccountJson.Default.UserReplyArray, cancellation).ConfigureAwait(false);
            if (parse.GetValue(SocketOption.Json))
            {
                stdout.WriteLine(body);
                return CommandLine.ExitOk;
            }
            if (users.Length == 0)
            {
                stdout.WriteLine("no users (netbootpi user add NAME --role admin makes the first)");
                return CommandLine.ExitOk;
            }
            stdout.WriteLine($"{"NAME",-20} {"ROLE",-9} {"CREATED",-20} {"TOTP",-7} STATE");
            foreach (var u in users)
                stdout.WriteLine($"{u.Name,-20} {u.Role,-9} {Time(u.Created),-20} {u.Totp,-7} {(u.Locked ? $"locked since {Time(u.LockedSince!.Value)}" : u.FailedLogins > 0 ? $"{u.FailedLogins} failed logins" : "ok")}");
            return CommandLine.ExitOk;
        });
        return command;
    }

    internal static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);

    private static int Print(ParseResult parse, TextWriter stdout, TextWriter stderr, (int Status, string Body, AccountDoneReply Value) reply)
    {
        if (parse.GetValue(SocketOption.Json)) stdout.WriteLine(reply.Body);
        else stdout.WriteLine(reply.Value.Message);
        return CommandLine.ExitOk;
    }
}
