using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Control;

/// <summary>
/// <c>POST /api/v1/site/reload</c>: reads the site file again, exactly as SIGHUP does, and answers with the outcome
/// (the errors, located, when the new file is refused and the running site stays).
/// </summary>
public sealed class SiteEndpoints(SiteState state, SiteReloader reloader) : IControlEndpoints
{
    public const string ReloadPath = "/api/v1/site/reload";

    public IEnumerable<ControlRoute> Routes => [new("POST", ReloadPath, ControlRole.Admin, Changes: true, ReloadAsync) { Summary = "Reads the site file again, as SIGHUP does: 200 with the site now running, or 422 with every located error of the refused file (the running site stays).", Reply = ControlJson.Default.ReloadReply }];

    private Task ReloadAsync(HttpContext context, ControlCaller caller)
    {
        // The reload reads a file and parses it: off the request's thread, like the signal's.
        return Task.Run(async () =>
        {
            var result = reloader.Reload();
            var site = state.Current;
            var errors = result.Errors.Select(e => new SiteErrorReply(e.Location.File, e.Location.Line, e.Location.Column, e.KeyPath, e.Message, e.ToString())).ToArray();
            var reply = new ReloadReply(result.Inventory is not null, site.Site.Name, state.Path, site.Networks.Length, site.Hosts.Length, errors);
            // 422: the request was understood and the file it named is what is wrong.
            await ControlService.WriteAsync(context, result.Inventory is null ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status200OK,
                reply, ControlJson.Default.ReloadReply).ConfigureAwait(false);
        }, context.RequestAborted);
    }
}
