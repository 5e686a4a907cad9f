using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Render.Boot;
using NetbootPi.Agent.Render.Install;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Http;

// /install/MAC/TOKEN/FILE: a host's unattended install files, rendered for it at each fetch (docs/installs.md).
public sealed partial class BootHttpHandler
{
    /// <summary>The folder of the host's current install with its token; null when its profile installs nothing.</summary>
    private string? InstallFolder(HostBinding binding, BootRequest box) =>
        binding is { Host: { } host, Profile.Install: not null }
            ? BootUrls.Install(box.BoxUrl, binding.Mac, installs.Token(binding.Mac, installs.Of(host.Name).Generation))
            : null;

    private async Task InstallAsync(HttpContext ctx, SiteInventory site, string rest)
    {
        var parts = rest.Split('/');
        HostBinding? binding = null;
        if (parts.Length == 3 && MacAddress.TryParse(parts[0], out var mac)) binding = site.Resolve(mac);
        var (status, text, contentType) = InstallAnswer(ctx, site, binding, parts);
        // The token is a credential (it fetches the host's files and reports its install done): the journal and
        // the event log, which every viewer reads, get the path without it.
        var shown = BootUrls.InstallPrefix + string.Join('/', parts.Select((p, i) => i == 1 ? "-" : p));
        if (status >= 400) LogInstallRefused(shown, ctx.Connection.RemoteIpAddress?.ToString() ?? "?", text.TrimEnd());
        ctx.Response.Headers.CacheControl = "no-store";
        await TextAsync(ctx, status, text, contentType).ConfigureAwait(false);
        Record(ctx, binding is null ? FindByClient(site, ctx) : HostLabel(binding), BootEventKind.Install, shown);
    }

    /// <summary>
    /// The answer to one request, refusals first: a host of an install profile, from its own address when it has a
    /// static one, with its current install's token; then its completion call or one of its files.
    /// </summary>
    private (int Status, string Text, string? ContentType) InstallAnswer(HttpContext ctx, SiteInventory site, HostBinding? binding, string[] parts)
    {
        if (binding is null) return (StatusCodes.Status404NotFound, "not found: install files are /install/MAC/TOKEN/FILE\n", null);
        if (binding is not { Host: { } host, Profile.Install: { } install })
            return (StatusCodes.Status404NotFound, $"{HostLabel(binding)} has no install profile\n", null);
        if (binding.StaticAddress is { } own && ClientAddress(ctx) != own)
            return (StatusCodes.Status403Forbidden, $"{host.Name}'s install files are served only to its own address {own}, not to {ctx.Connection.RemoteIpAddress}\n", null);
        if (!installs.IsCurrent(host, parts[1]))
            return (StatusCodes.Status403Forbidden, $"not the token of {host.Name}'s current install (reinstalled since? 'netbootpi show host {host.Name} --install' on the box shows the URLs)\n", null);
        var record = installs.Of(host.Name);
        var method = ctx.Request.Method;
        var client = ctx.Connection.RemoteIpAddress?.ToString() ?? "?";
        if (parts[2] == BootUrls.InstallDone)
        {
            // GET too: debian-installer's busybox wget cannot POST.
            if (!HttpMethods.IsPost(method) && !HttpMethods.IsGet(method)) return (StatusCodes.Status405MethodNotAllowed, "only POST or GET here\n", null);
            return installs.Complete(host, client, install.Then)
                ? (StatusCodes.Status200OK, $"install {record.Generation} of {host.Name} recorded as complete; it boots profile {install.Then} from now on\n", null)
                : (StatusCodes.Status409Conflict, $"install {record.Generation} of {host.Name} was already reported complete at {record.Completed:u} ('netbootpi reinstall {host.Name}' starts another)\n", null);
        }
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method)) return (StatusCodes.Status405MethodNotAllowed, "only GET and HEAD here\n", null);
        if (record.IsComplete)
            return (StatusCodes.Status410Gone, $"install {record.Generation} of {host.Name} is complete ('netbootpi reinstall {host.Name}' starts another)\n", null);
        var urls = new InstallFiles.Urls(BoxOf(ctx).BoxUrl, BootUrls.Install(BoxOf(ctx).BoxUrl, binding.Mac, parts[1]), record.Generation);
        if (InstallFiles.Render(site, binding, urls, parts[2]) is not { } text)
            return (StatusCodes.Status404NotFound, $"a {InstallSettings.KindName(install.Kind)} install has no file {parts[2]} (its files: {string.Join(", ", InstallFiles.Names(install.Kind))})\n", null);
        if (HttpMethods.IsGet(method) && parts[2] == InstallFiles.Names(install.Kind)[0]) installs.Fetched(host, parts[2], client);
        return (StatusCodes.Status200OK, text, parts[2].EndsWith(".ign", StringComparison.Ordinal) ? "application/json" : null);
    }

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "install: {Path} for {Client} refused: {Reason}")]
    private partial void LogInstallRefused(string path, string client, string reason);
}
