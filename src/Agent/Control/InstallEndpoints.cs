using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Installs;
using NetbootPi.Agent.Render.Install;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Control;

/// <summary>
/// Unattended installs on the control API (docs/installs.md). <c>GET /api/v1/install?host=NAME</c>: the host's install,
/// its state and every file it will fetch as rendered now (operators: the URLs carry its token);
/// <c>POST /api/v1/reinstall?host=NAME</c>: its next boot installs again (<see cref="InstallStore.Reinstall"/>).
/// </summary>
public sealed class InstallEndpoints(SiteState state, InstallStore installs) : IControlEndpoints
{
    public const string InstallPath = "/api/v1/install";
    public const string ReinstallPath = "/api/v1/reinstall";

    public IEnumerable<ControlRoute> Routes =>
    [
        new("GET", InstallPath, ControlRole.Operator, Changes: false, ShowAsync)
        {
            HostOf = c => c.Request.Query["host"].ToString(),
            Summary = "A host's unattended install: its kind, state (fetched, completed), the profile it boots now, its kernel arguments and each file it will fetch, rendered now (404 unknown host, 409 its profile installs nothing).",
            Query = [new("host", true, "the host's name in the site file")],
            Reply = InstallJson.Default.InstallReply,
        },
        new("POST", ReinstallPath, ControlRole.Operator, Changes: true, ReinstallAsync)
        {
            HostOf = c => c.Request.Query["host"].ToString(),
            Summary = "Starts a host's next install: its next boot runs its install profile again with a new token, the old one refused from now on; an install event (409 its profile installs nothing).",
            Query = [new("host", true, "the host's name in the site file")],
            Reply = InstallJson.Default.InstallReply,
        },
    ];

    private Task ShowAsync(HttpContext context, ControlCaller caller) => AnswerAsync(context, caller, reinstall: false);

    private Task ReinstallAsync(HttpContext context, ControlCaller caller) => AnswerAsync(context, caller, reinstall: true);

    private async Task AnswerAsync(HttpContext context, ControlCaller caller, bool reinstall)
    {
        var site = state.Current;
        var name = context.Request.Query["host"].ToString();
        if (site.FindHost(name) is not { } host)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status404NotFound,
                name.Length == 0 ? "host= must name a host of the site" : $"no host named '{name}' in {state.Path}{site.HostHint(name)}").ConfigureAwait(false);
            return;
        }
        var binding = site.Resolve(host.Mac);
        if (binding.Profile?.Install is not { } install)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status409Conflict,
                $"host {host.Name} boots profile {binding.ProfileName}, which installs nothing (an install is a kernel profile with install:; docs/installs.md)").ConfigureAwait(false);
            return;
        }
        if (reinstall) installs.Reinstall(host, caller.EventClient);
        await ControlService.WriteAsync(context, StatusCodes.Status200OK, Reply(site, binding, install, host), InstallJson.Default.InstallReply).ConfigureAwait(false);
    }

    private InstallReply Reply(SiteInventory site, HostBinding binding, InstallSettings install, HostEntry host)
    {
        var record = installs.Of(host.Name);
        // A relayed network's box address is the one its relay forwards to, known only per request: the management address stands in.
        var box = binding.BoxUrl ?? (site.Management?.BoxAddress is { } m ? BootUrls.Base(m, site.Server.HttpPort) : "http://BOX");
        var folder = BootUrls.Install(box, binding.Mac, installs.Token(binding.Mac, record.Generation));
        var urls = new InstallFiles.Urls(box, folder, record.Generation);
        var files = InstallFiles.Names(install.Kind).Select(f => new InstallFileReply(f, folder + f, InstallFiles.Render(site, binding, urls, f)!)).ToArray();
        return new InstallReply(host.Name, InstallSettings.KindName(install.Kind), install.Then, record.IsComplete ? install.Then : binding.ProfileName,
            record.Generation, record.Fetched, record.Completed, record.CompletedFrom, InstallFiles.KernelArguments(install.Kind, folder), urls.Done, files);
    }
}

/// <summary>One file of an install: its name, the URL the host fetches it at, and its text as rendered now.</summary>
internal sealed record InstallFileReply(string Name, string Url, string Content);

/// <summary>
/// GET /api/v1/install and POST /api/v1/reinstall: the host, its installer, the profile it boots once installed and
/// the one it boots now, the install's number, when the host fetched its file and reported completion (and from
/// where), the kernel arguments that point the installer at its file, the completion URL, and the files.
/// </summary>
internal sealed record InstallReply(string Host, string Kind, string Then, string Boots, int Generation, DateTimeOffset? Fetched,
    DateTimeOffset? Completed, string? CompletedFrom, string KernelArguments, string DoneUrl, InstallFileReply[] Files);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(InstallReply))]
internal sealed partial class InstallJson : JsonSerializerContext;
