using System.CommandLine;
using NetbootPi.Agent.Cli.Local;
using NetbootPi.Agent.Control.Accounts;

namespace NetbootPi.Agent.Cli.Remote;

/// <summary>
/// <c>netbootpi user totp enable|confirm|disable NAME</c>: a user's second factor, over the running agent's control
/// socket (root: admin). <c>enable</c> prints the <c>otpauth://</c> URI, its QR code and ten recovery codes, once;
/// <c>confirm</c> takes a first code from the app, after which a login over the network needs one. Exit codes: 0 done,
/// 1 refused (no such user, TOTP already on, a wrong code) or the agent unreachable, 2 the command line was wrong.
/// </summary>
internal static class TotpCommands
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var totp = new Command("totp", "a user's TOTP second factor for logins over the network");
        totp.Subcommands.Add(Enable(stdout));
        totp.Subcommands.Add(Confirm(stdout));
        totp.Subcommands.Add(Disable(stdout));
        return totp;
    }

    private static Argument<string> NameArgument() => new("NAME") { Description = "the user's name" };

    private static Command Enable(TextWriter stdout)
    {
        var name = NameArgument();
        var command = new Command("enable", "make a TOTP secret and recovery codes for a user, shown once; pending until confirmed") { name, SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var n = parse.GetValue(name)!;
            var (_, body, r) = await client.SendAsync(HttpMethod.Post, TotpEndpoints.EnablePath, new UserNameRequest(n), AccountJson.Default.UserNameRequest,
                AccountJson.Default.TotpEnrolReply, cancellation).ConfigureAwait(false);
            if (parse.GetValue(SocketOption.Json))
            {
                stdout.WriteLine(body);
                return CommandLine.ExitOk;
            }
            stdout.WriteLine($"user {r.User}: scan this with an authenticator app (or type the secret into it):");
            stdout.Write(QrText.Render(r.Uri));
            stdout.WriteLine(r.Uri);
            stdout.WriteLine($"secret: {r.Secret}");
            stdout.WriteLine();
            stdout.WriteLine("recovery codes, each good for one login instead of a code (keep them away from the phone; they are not shown again):");
            foreach (var code in r.RecoveryCodes) stdout.WriteLine("  " + code);
            stdout.WriteLine();
            stdout.WriteLine($"then: netbootpi user totp confirm {r.User} CODE (a code the app shows); until then a login needs no code");
            return CommandLine.ExitOk;
        });
        return command;
    }

    private static Command Confirm(TextWriter stdout)
    {
        var name = NameArgument();
        var code = new Argument<string>("CODE") { Description = "the code the authenticator app shows now" };
        var command = new Command("confirm", "confirm a user's TOTP with a first code from the app: from then on their logins need one") { name, code, SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (_, body, r) = await client.SendAsync(HttpMethod.Post, TotpEndpoints.ConfirmPath, new TotpCodeRequest(parse.GetValue(name)!, parse.GetValue(code)!),
                AccountJson.Default.TotpCodeRequest, AccountJson.Default.AccountDoneReply, cancellation).ConfigureAwait(false);
            stdout.WriteLine(parse.GetValue(SocketOption.Json) ? body : r.Message);
            return CommandLine.ExitOk;
        });
        return command;
    }

    private static Command Disable(TextWriter stdout)
    {
        var name = NameArgument();
        var command = new Command("disable", "remove a user's TOTP and recovery codes") { name, SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (_, body, r) = await client.SendAsync(HttpMethod.Post, TotpEndpoints.DisablePath, new UserNameRequest(parse.GetValue(name)!),
                AccountJson.Default.UserNameRequest, AccountJson.Default.AccountDoneReply, cancellation).ConfigureAwait(false);
            stdout.WriteLine(parse.GetValue(SocketOption.Json) ? body : r.Message);
            return CommandLine.ExitOk;
        });
        return command;
    }
}
