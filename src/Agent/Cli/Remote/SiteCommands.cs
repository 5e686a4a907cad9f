using System.CommandLine;
using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Control;

namespace NetbootPi.Agent.Cli.Remote;

/// <summary>
/// <c>netbootpi site get|validate|apply|rollback</c>: the running agent's site file through the agent (the socket,
/// or <c>--url</c> for a remote box). <c>apply</c> checks the file before anything is written (one with errors
/// changes nothing) and keeps the file it replaces for <c>rollback</c>. Exit codes: 0 done, 1 refused (the errors on
/// standard error, located) or the agent unreachable, 2 the command line was wrong.
/// </summary>
internal static class SiteCommands
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var site = new Command("site", "the running agent's site file: get it, check or apply a new one, roll back (admin)");
        site.Subcommands.Add(Get(stdout));
        site.Subcommands.Add(Validate(stdout, stderr));
        site.Subcommands.Add(Apply(stdout, stderr));
        site.Subcommands.Add(Rollback(stdout, stderr));
        return site;
    }

    private static Command Get(TextWriter stdout)
    {
        var command = new Command("get", "print the site file the agent runs (its SHA-256 on standard error)") { SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (_, body, r) = await client.SendAsync(HttpMethod.Get, SiteEndpoints.SitePath, ControlJson.Default.SiteReply, cancellation).ConfigureAwait(false);
            stdout.Write(parse.GetValue(SocketOption.Json) ? body + "\n" : r.Text);
            return CommandLine.ExitOk;
        });
        return command;
    }

    private static Argument<string> FileArgument() => new("FILE") { Description = "the new site file ('-': standard input)" };

    private static Command Validate(TextWriter stdout, TextWriter stderr)
    {
        var file = FileArgument();
        var command = new Command("validate", "check a site file as the running agent would take it (errors, what takes a restart, the network plan); changes nothing")
        {
            file, SocketOption.Json,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            if (await ReadAsync(parse.GetValue(file)!, stderr, cancellation).ConfigureAwait(false) is not { } text) return CommandLine.ExitInvalid;
            using var client = SocketOption.Client(parse);
            var (_, body, r) = await client.SendAsync(HttpMethod.Post, SiteEndpoints.ValidatePath, text, SiteEndpoints.YamlMedia,
                ControlJson.Default.SiteValidateReply, cancellation, StatusCodes.Status422UnprocessableEntity).ConfigureAwait(false);
            if (parse.GetValue(SocketOption.Json)) stdout.WriteLine(body);
            else if (r.Valid)
            {
                stdout.WriteLine($"valid: site {r.Site}, {r.Networks} networks, {r.Hosts} hosts");
                if (r.NetworkPlan is { } plan) stdout.Write(plan);
            }
            else Errors(r.Errors, $"{parse.GetValue(file)} would be refused", stderr);
            return r.Valid ? CommandLine.ExitOk : CommandLine.ExitInvalid;
        });
        return command;
    }

    private static Command Apply(TextWriter stdout, TextWriter stderr)
    {
        var file = FileArgument();
        var digest = new Option<string>("--if-sha256")
        {
            Description = "refuse unless the agent's file is still the one with this SHA-256 (netbootpi site get --json shows it): another edit in between is not overwritten",
            HelpName = "HEX",
        };
        var command = new Command("apply", "make FILE the agent's site file and running site; checked first, the file replaced kept for rollback")
        {
            file, digest, SocketOption.Json,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            if (await ReadAsync(parse.GetValue(file)!, stderr, cancellation).ConfigureAwait(false) is not { } text) return CommandLine.ExitInvalid;
            var path = SiteEndpoints.SitePath + (parse.GetValue(digest) is { } d ? $"?sha256={Uri.EscapeDataString(d)}" : "");
            using var client = SocketOption.Client(parse);
            var (_, body, r) = await client.SendAsync(HttpMethod.Put, path, text, SiteEndpoints.YamlMedia, ControlJson.Default.SiteApplyReply, cancellation,
                StatusCodes.Status422UnprocessableEntity, StatusCodes.Status412PreconditionFailed).ConfigureAwait(false);
            return Outcome(parse, body, r, stdout, stderr);
        });
        return command;
    }

    private static Command Rollback(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("rollback", "put back the site file the last apply replaced (the current one becomes the previous)") { SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (_, body, r) = await client.SendAsync(HttpMethod.Post, SiteEndpoints.RollbackPath, ControlJson.Default.SiteApplyReply, cancellation,
                StatusCodes.Status422UnprocessableEntity, StatusCodes.Status409Conflict).ConfigureAwait(false);
            return Outcome(parse, body, r, stdout, stderr);
        });
        return command;
    }

    private static int Outcome(ParseResult parse, string body, SiteApplyReply r, TextWriter stdout, TextWriter stderr)
    {
        if (parse.GetValue(SocketOption.Json)) stdout.WriteLine(body);
        else if (r.Applied) stdout.WriteLine($"{r.Message}: site {r.Site}, {r.Networks} networks, {r.Hosts} hosts");
        else Errors(r.Errors, r.Message, stderr);
        return r.Applied ? CommandLine.ExitOk : CommandLine.ExitInvalid;
    }

    private static void Errors(SiteErrorReply[] errors, string summary, TextWriter stderr)
    {
        foreach (var e in errors) stderr.WriteLine(e.Text);
        stderr.WriteLine($"netbootpi: {summary}");
    }

    private static async Task<byte[]?> ReadAsync(string file, TextWriter stderr, CancellationToken cancellation)
    {
        try
        {
            if (file == "-")
            {
                using var input = Console.OpenStandardInput();
                using var copy = new MemoryStream();
                await input.CopyToAsync(copy, cancellation).ConfigureAwait(false);
                return copy.ToArray();
            }
            return await File.ReadAllBytesAsync(file, cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"netbootpi: cannot read {file}: {Os.Files.FileErrors.Reason(e, file)}");
            return null;
        }
    }
}
