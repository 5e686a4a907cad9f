using System.Text;
using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Apply;
using NetbootPi.Agent.Apply.Network;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Reports;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Control;

/// <summary>
/// The site file on the control API: read it (<c>GET /api/v1/site</c>, with its SHA-256), check a new text
/// (<c>POST /api/v1/site/validate</c>: located errors, and the network plan when the agent manages the network), say
/// what a new text would change (<c>POST /api/v1/site/diff</c>: the file's diff, the hosts, networks, profiles and
/// exports it changes, the network plan), put a new text in place (<c>PUT /api/v1/site</c>: checked first, so one
/// with errors changes nothing; the file it replaces kept as <c>SITE.previous</c>), put the previous one back
/// (<c>POST /api/v1/site/rollback</c>), and read the file again as SIGHUP does (<c>POST /api/v1/site/reload</c>).
/// </summary>
public sealed class SiteEndpoints(SiteState state, SiteReloader reloader, IAtomicFiles files, NetworkChanges? network) : IControlEndpoints
{
    public const string SitePath = "/api/v1/site";
    public const string ReloadPath = "/api/v1/site/reload";
    public const string ValidatePath = "/api/v1/site/validate";
    public const string RollbackPath = "/api/v1/site/rollback";
    public const string DiffPath = "/api/v1/site/diff";
    public const string YamlMedia = "application/yaml";

    /// <summary>The most a site text sent to the agent may be; a site file is a few KB.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    public IEnumerable<ControlRoute> Routes =>
    [
        new("GET", SitePath, ControlRole.Viewer, Changes: false, GetAsync)
        {
            Summary = "The site file the agent runs: its path, text and SHA-256 (pass it back as ?sha256= to PUT so another edit in between is not overwritten), and the site running and when it was loaded (the file on disk may be newer, edited and not yet reloaded).",
            Reply = ControlJson.Default.SiteReply,
        },
        new("PUT", SitePath, ControlRole.Admin, Changes: true, PutAsync)
        {
            Summary = "Makes the body the site file and the running site, checked first: 422 with every located error and nothing written; 412 when ?sha256= names another file than the one on disk; the file replaced is kept as SITE.previous.",
            Query = [new("sha256", false, "the SHA-256 of the file the edit started from (GET /api/v1/site): refused with 412 when the file on disk is another")],
            RawBody = YamlMedia,
            Reply = ControlJson.Default.SiteApplyReply,
        },
        new("POST", ValidatePath, ControlRole.Admin, Changes: false, ValidateAsync)
        {
            Summary = "Checks the body as a site file for this agent, changing nothing: every located error (and what would take a restart), and the box's network plan when the agent manages its network.",
            RawBody = YamlMedia,
            Reply = ControlJson.Default.SiteValidateReply,
        },
        new("POST", DiffPath, ControlRole.Admin, Changes: false, DiffAsync)
        {
            Summary = "What a PUT of the body would do, changing nothing: the site file's unified diff, the hosts, networks, profiles and NFS exports it adds, removes or changes against the running site, and the network plan when the agent manages its network; 422 with every located error, 412 when ?sha256= names another file than the one on disk.",
            Query = [new("sha256", false, "the SHA-256 of the file the edit started from (GET /api/v1/site): refused with 412 when the file on disk is another")],
            RawBody = YamlMedia,
            Reply = ControlJson.Default.SiteDiffReply,
        },
        new("POST", RollbackPath, ControlRole.Admin, Changes: true, RollbackAsync)
        {
            Summary = "Puts SITE.previous back as the site file and the running site (checked as PUT checks); the file it replaces becomes the previous one. 409 when there is none.",
            Reply = ControlJson.Default.SiteApplyReply,
        },
        new("POST", ReloadPath, ControlRole.Admin, Changes: true, ReloadAsync)
        {
            Summary = "Reads the site file again, as SIGHUP does: 200 with the site now running, or 422 with every located error of the refused file (the running site stays).",
            Reply = ControlJson.Default.ReloadReply,
        },
    ];

    private Task ReloadAsync(HttpContext context, ControlCaller caller)
    {
        // The reload reads a file and parses it: off the request's thread, like the signal's.
        return Task.Run(async () =>
        {
            var result = reloader.Reload();
            var site = state.Current;
            var reply = new ReloadReply(result.Inventory is not null, site.Site.Name, state.Path, site.Networks.Length, site.Hosts.Length, Errors(result.Errors));
            // 422: the request was understood and the file it named is what is wrong.
            await ControlService.WriteAsync(context, result.Inventory is null ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status200OK,
                reply, ControlJson.Default.ReloadReply).ConfigureAwait(false);
        }, context.RequestAborted);
    }

    private async Task GetAsync(HttpContext context, ControlCaller caller)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(state.Path, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status409Conflict,
                $"cannot read the site file {state.Path}: {FileErrors.Reason(e, state.Path)}").ConfigureAwait(false);
            return;
        }
        var previous = SiteReloader.PreviousPath(state.Path);
        var reply = new SiteReply(state.Path, SiteReloader.Digest(bytes), Encoding.UTF8.GetString(bytes), state.Current.Site.Name, state.Loaded,
            File.Exists(previous) ? previous : null);
        await ControlService.WriteAsync(context, StatusCodes.Status200OK, reply, ControlJson.Default.SiteReply).ConfigureAwait(false);
    }

    private async Task ValidateAsync(HttpContext context, ControlCaller caller)
    {
        if (await ControlBody.ReadBytesAsync(context, MaxBodyBytes, "a site file's text (YAML)").ConfigureAwait(false) is not { } text) return;
        var parsed = await Task.Run(() => SiteFile.Parse(state.Path, text), context.RequestAborted).ConfigureAwait(false);
        var errors = parsed.Inventory is { } next ? state.Refusals(next) ?? [] : parsed.Errors;
        string? plan = null;
        if (errors.Count == 0 && network is not null)
            plan = (await network.PlanAsync(NetworkWanted.From(parsed.Inventory!), context.RequestAborted).ConfigureAwait(false)).Render();
        var reply = new SiteValidateReply(errors.Count == 0, parsed.Inventory?.Site.Name, parsed.Inventory?.Networks.Length ?? 0,
            parsed.Inventory?.Hosts.Length ?? 0, Errors(errors), plan);
        await ControlService.WriteAsync(context, errors.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity, reply,
            ControlJson.Default.SiteValidateReply).ConfigureAwait(false);
    }

    private async Task DiffAsync(HttpContext context, ControlCaller caller)
    {
        if (await ControlBody.ReadBytesAsync(context, MaxBodyBytes, "a site file's text (YAML)").ConfigureAwait(false) is not { } text) return;
        var (ok, expected) = await ExpectedDigestAsync(context).ConfigureAwait(false);
        if (!ok) return;
        byte[]? current;
        try
        {
            current = await File.ReadAllBytesAsync(state.Path, context.RequestAborted).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            current = null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status409Conflict,
                $"cannot read the site file {state.Path}: {FileErrors.Reason(e, state.Path)}").ConfigureAwait(false);
            return;
        }
        var digest = current is null ? null : SiteReloader.Digest(current);
        if (expected is not null && !string.Equals(digest, expected, StringComparison.OrdinalIgnoreCase))
        {
            // The words PUT answers, so the page says the same before and at the apply.
            await ControlService.ReplyAsync(context, StatusCodes.Status412PreconditionFailed,
                $"{state.Path} changed since it was read (its SHA-256 is {digest ?? "(no file)"}, not {expected}): get it again and redo the edit").ConfigureAwait(false);
            return;
        }
        var running = state.Current;
        var parsed = await Task.Run(() => SiteFile.Parse(state.Path, text), context.RequestAborted).ConfigureAwait(false);
        var errors = parsed.Inventory is { } next ? state.Refusals(next) ?? [] : parsed.Errors;
        // What changes is told against the running site, which the text would replace (the file on disk may be newer).
        var changes = errors.Count == 0
            ? await Task.Run(() => SiteChanges.Between(running, parsed.Inventory!), context.RequestAborted).ConfigureAwait(false)
            : [];
        string? plan = null;
        var networkChange = false;
        if (errors.Count == 0 && network is not null)
        {
            var planned = await network.PlanAsync(NetworkWanted.From(parsed.Inventory!), context.RequestAborted).ConfigureAwait(false);
            (plan, networkChange) = (planned.Render(), !planned.IsEmpty);
        }
        var diff = UnifiedDiff.Render(new FileChange(state.Path, current is null ? null : Encoding.UTF8.GetString(current), Encoding.UTF8.GetString(text)));
        var reply = new SiteDiffReply(errors.Count == 0, state.Path, digest, diff,
            [.. changes.Select(c => new SiteChangeReply(c.Kind, c.Name, c.Change, [.. c.Details]))], networkChange, plan, Errors(errors));
        await ControlService.WriteAsync(context, errors.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity, reply,
            ControlJson.Default.SiteDiffReply).ConfigureAwait(false);
    }

    /// <summary>The <c>sha256</c> query (null when not given); false after a 400 for one that is not 64 hex digits.</summary>
    private static async Task<(bool Ok, string? Expected)> ExpectedDigestAsync(HttpContext context)
    {
        var expected = context.Request.Query["sha256"].ToString() is { Length: > 0 } s ? s : null;
        if (expected is not null && (expected.Length != 64 || !expected.All(Uri.IsHexDigit)))
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status400BadRequest, $"sha256 must be 64 hex digits (GET {SitePath} gives it), not '{expected}'").ConfigureAwait(false);
            return (false, null);
        }
        return (true, expected);
    }

    private async Task PutAsync(HttpContext context, ControlCaller caller)
    {
        if (await ControlBody.ReadBytesAsync(context, MaxBodyBytes, "a site file's text (YAML)").ConfigureAwait(false) is not { } text) return;
        var (ok, expected) = await ExpectedDigestAsync(context).ConfigureAwait(false);
        if (!ok) return;
        var result = await Task.Run(() => reloader.Apply(text, expected, files), context.RequestAborted).ConfigureAwait(false);
        await ReplyAsync(context, result).ConfigureAwait(false);
    }

    private async Task RollbackAsync(HttpContext context, ControlCaller caller)
    {
        var result = await Task.Run(() => reloader.Rollback(files), context.RequestAborted).ConfigureAwait(false);
        await ReplyAsync(context, result).ConfigureAwait(false);
    }

    private Task ReplyAsync(HttpContext context, SiteApplyResult result)
    {
        var site = state.Current;
        var outcome = result.Outcome switch
        {
            SiteApplyOutcome.NoPrevious => "no_previous",
            _ => result.Outcome.ToString().ToLowerInvariant(),
        };
        var message = result.Message ?? result.Outcome switch
        {
            SiteApplyOutcome.Applied => $"{state.Path} replaced and running; the file before is {SiteReloader.PreviousPath(state.Path)}",
            SiteApplyOutcome.Unchanged => $"{state.Path} already had this text; it is what runs",
            _ => $"refused ({result.Errors.Count} error{(result.Errors.Count == 1 ? "" : "s")}); nothing was written and the agent still runs site {site.Site.Name}",
        };
        var status = result.Outcome switch
        {
            SiteApplyOutcome.Applied or SiteApplyOutcome.Unchanged => StatusCodes.Status200OK,
            SiteApplyOutcome.Invalid => StatusCodes.Status422UnprocessableEntity,
            SiteApplyOutcome.Stale => StatusCodes.Status412PreconditionFailed,
            SiteApplyOutcome.NoPrevious => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status500InternalServerError,
        };
        string? digest = null;
        try
        {
            digest = SiteReloader.Digest(File.ReadAllBytes(state.Path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The reply still says how the apply ended; the digest is for the next edit.
        }
        var reply = new SiteApplyReply(outcome, result.Succeeded, message, site.Site.Name, state.Path, digest, site.Networks.Length, site.Hosts.Length,
            Errors(result.Errors));
        return ControlService.WriteAsync(context, status, reply, ControlJson.Default.SiteApplyReply);
    }

    internal static SiteErrorReply[] Errors(IEnumerable<SiteError> errors) =>
        errors.Select(e => new SiteErrorReply(e.Location.File, e.Location.Line, e.Location.Column, e.KeyPath, e.Message, e.ToString())).ToArray();
}
