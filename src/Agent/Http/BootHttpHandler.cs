using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Render.Boot;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Health;
using NetbootPi.Agent.Installs;
using NetbootPi.Agent.Media.Catalog;
using NetbootPi.Agent.Overlays;
using NetbootPi.Agent.Power;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Upstream;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Http;

/// <summary>
/// Every HTTP request of the boot service: one dispatch on the path, no routing tables or reflection
/// (the agent is trimmed). Paths are those of <see cref="BootUrls"/>. Each request reads the site snapshot
/// once, so a reload never splits one answer between two versions of the file.
/// </summary>
public sealed partial class BootHttpHandler(
    SiteState state, OverlayStore overlays, OverlayTokens tokens, UpstreamCache upstream, BootEventLog events, ClientDirectory clients,
    BootOverrides overrides, InstallStore installs, TimeProvider time, ILogger<BootHttpHandler> logger)
{
    public async Task HandleAsync(HttpContext ctx)
    {
        FaultHooks.WedgeIf("http-wedge");
        var site = state.Current;
        var path = ctx.Request.Path.Value ?? "/";
        var request = ctx.Request;
        var readOnly = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);

        if (path.StartsWith("/apkovl/", StringComparison.Ordinal))
        {
            await OverlayAsync(ctx, site, path["/apkovl/".Length..]).ConfigureAwait(false);
            return;
        }
        if (path.StartsWith(BootUrls.InstallPrefix, StringComparison.Ordinal))
        {
            await InstallAsync(ctx, site, path[BootUrls.InstallPrefix.Length..]).ConfigureAwait(false);
            return;
        }
        if (!readOnly)
        {
            ctx.Response.Headers.Allow = "GET, HEAD";
            await TextAsync(ctx, StatusCodes.Status405MethodNotAllowed, "only GET and HEAD here\n").ConfigureAwait(false);
            return;
        }
        if (path == "/boot.ipxe")
        {
            await ScriptAsync(ctx, site, IpxeScript.RenderGeneric(BoxOf(ctx)), FindByClient(site, ctx)).ConfigureAwait(false);
        }
        else if (path.StartsWith("/boot/", StringComparison.Ordinal) && path.EndsWith(".ipxe", StringComparison.Ordinal))
        {
            var name = path["/boot/".Length..^".ipxe".Length];
            if (!MacAddress.TryParse(name, out var mac))
            {
                await TextAsync(ctx, StatusCodes.Status404NotFound, $"'{name}' is not a MAC address\n").ConfigureAwait(false);
                return;
            }
            var binding = site.Resolve(mac, ClientAddress(ctx) is { } client ? site.NetworkContaining(client) : null);
            // A HEAD asks what the script would be; only the fetch of it is the boot that uses up a one-time override.
            var once = HttpMethods.IsGet(request.Method) ? overrides.Take(binding) : null;
            var box = BoxOf(ctx);
            await ScriptAsync(ctx, site, IpxeScript.Render(site, binding, box, once, installs.Installed(binding), InstallFolder(binding, box)), HostLabel(binding)).ConfigureAwait(false);
        }
        else if (path == "/keys.pub")
        {
            var keys = string.Concat(site.Site.SshKeys.Select(k => k + "\n"));
            await TextAsync(ctx, StatusCodes.Status200OK, keys).ConfigureAwait(false);
            Record(ctx, FindByClient(site, ctx), BootEventKind.Keys);
        }
        else if (path.StartsWith(BootUrls.LoadersPrefix, StringComparison.Ordinal))
        {
            // The TFTP root over HTTP: UEFI HTTP boot clients fetch their loader here (DHCP option 93 = 16).
            var relative = path[BootUrls.LoadersPrefix.Length..];
            await FileAsync(ctx, site.Server.TftpRoot, relative).ConfigureAwait(false);
            Record(ctx, FindByClient(site, ctx), BootEvent.KindOfFile(relative));
        }
        else if (path.StartsWith(BootUrls.FilesPrefix, StringComparison.Ordinal))
        {
            var relative = path[BootUrls.FilesPrefix.Length..];
            await FileAsync(ctx, site.Server.DataDirectory, relative).ConfigureAwait(false);
            Record(ctx, FindByClient(site, ctx), BootEvent.KindOfFile(relative));
        }
        else if (path.StartsWith(BootUrls.ImagesPrefix, StringComparison.Ordinal))
        {
            // The image catalog (docs/media.md): its names are single file names, so anything with a slash, a hidden
            // file (.partial/, .meta/) or a name the catalog would not give is refused before the file system is asked.
            var name = path[BootUrls.ImagesPrefix.Length..];
            if (ImageName.Refusal(name) is not null) await TextAsync(ctx, StatusCodes.Status400BadRequest, "bad image name\n").ConfigureAwait(false);
            else await FileAsync(ctx, Path.Combine(site.Server.DataDirectory, ImageCatalog.FolderName), name).ConfigureAwait(false);
            Record(ctx, FindByClient(site, ctx), BootEventKind.File);
        }
        else if (path.StartsWith(BootUrls.NfsRootPrefix, StringComparison.Ordinal))
        {
            await NfsRootFileAsync(ctx, site, path[BootUrls.NfsRootPrefix.Length..]).ConfigureAwait(false);
        }
        else if (path.StartsWith(BootUrls.UpstreamPrefix, StringComparison.Ordinal))
        {
            await UpstreamAsync(ctx, site, path[BootUrls.UpstreamPrefix.Length..]).ConfigureAwait(false);
        }
        else
        {
            await TextAsync(ctx, StatusCodes.Status404NotFound, "not found\n").ConfigureAwait(false);
        }
    }

    private async Task UpstreamAsync(HttpContext ctx, SiteInventory site, string rest)
    {
        var slash = rest.IndexOf('/');
        var (profile, name) = slash > 0 ? (rest[..slash], rest[(slash + 1)..]) : ("", "");
        var result = await upstream.GetAsync(site, profile, name).ConfigureAwait(false);
        switch (result.Failure)
        {
            case UpstreamFailure.NotNamedBySite:
                await TextAsync(ctx, StatusCodes.Status404NotFound, result.Detail + "\n").ConfigureAwait(false);
                break;
            case UpstreamFailure.FetchFailed:
                await TextAsync(ctx, StatusCodes.Status502BadGateway, $"not cached, and fetching failed: {result.Detail}\n").ConfigureAwait(false);
                break;
            default:
                await FileAsync(ctx, Path.GetDirectoryName(result.Path)!, Path.GetFileName(result.Path)!, ContentTypes.ForFile(name)).ConfigureAwait(false);
                break;
        }
        Record(ctx, FindByClient(site, ctx), BootEvent.KindOfFile(name));
    }

    /// <summary>A kernel or initrd from inside a machine's NFS root (<see cref="NfsRootFiles"/>); every refusal is logged with why.</summary>
    private async Task NfsRootFileAsync(HttpContext ctx, SiteInventory site, string rest)
    {
        var result = NfsRootFiles.Open(site, rest, ClientAddress(ctx), out var file, out var detail, out var binding);
        switch (result)
        {
            case NfsRootFileResult.Opened:
                using (file.Handle)
                    await FileResponse.SendAsync(ctx, file, ContentTypes.ForFile(rest)).ConfigureAwait(false);
                break;
            case NfsRootFileResult.LeadsOut:
                LogNfsRootLeadsOut(detail, ctx.Connection.RemoteIpAddress?.ToString() ?? "?");
                await TextAsync(ctx, StatusCodes.Status403Forbidden, "forbidden: a link in the root leads out of it\n").ConfigureAwait(false);
                break;
            case NfsRootFileResult.NotThisClient:
                LogNfsRootRefused(rest, ctx.Connection.RemoteIpAddress?.ToString() ?? "?", detail);
                await TextAsync(ctx, StatusCodes.Status403Forbidden, "forbidden\n").ConfigureAwait(false);
                break;
            default:
                LogNfsRootRefused(rest, ctx.Connection.RemoteIpAddress?.ToString() ?? "?", detail);
                await TextAsync(ctx, StatusCodes.Status404NotFound, "not found\n").ConfigureAwait(false);
                break;
        }
        Record(ctx, binding is null ? FindByClient(site, ctx) : HostLabel(binding), BootEvent.KindOfFile(rest));
    }

    private async Task ScriptAsync(HttpContext ctx, SiteInventory site, string script, string? host)
    {
        // A script reflects the site file of this moment: nobody may cache it across a reload.
        ctx.Response.Headers.CacheControl = "no-store";
        await TextAsync(ctx, StatusCodes.Status200OK, script).ConfigureAwait(false);
        Record(ctx, host, BootEventKind.Script);
    }

    private async Task OverlayAsync(HttpContext ctx, SiteInventory site, string name)
    {
        var method = ctx.Request.Method;
        if (name == "upload.sh" && (HttpMethods.IsGet(method) || HttpMethods.IsHead(method)))
        {
            var client = FindByClientHost(site, ctx);
            await TextAsync(ctx, StatusCodes.Status200OK, OverlayUploadScript.Render(BoxOf(ctx), client?.Mac)).ConfigureAwait(false);
            return;
        }
        if (!name.EndsWith(".tar.gz", StringComparison.Ordinal) || !MacAddress.TryParse(name.AsSpan(0, name.Length - ".tar.gz".Length), out var mac))
        {
            await TextAsync(ctx, StatusCodes.Status404NotFound, "not found: overlays are /apkovl/MAC.tar.gz\n").ConfigureAwait(false);
            return;
        }
        var binding = site.Resolve(mac);
        if (HttpMethods.IsPut(method))
        {
            await UploadAsync(ctx, binding, mac).ConfigureAwait(false);
            return;
        }
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
        {
            ctx.Response.Headers.Allow = "GET, HEAD, PUT";
            await TextAsync(ctx, StatusCodes.Status405MethodNotAllowed, "only GET, HEAD and PUT here\n").ConfigureAwait(false);
            return;
        }
        if (overlays.Current(mac) is { } current)
        {
            var dir = Path.GetDirectoryName(current.Path)!;
            await FileAsync(ctx, dir, Path.GetFileName(current.Path)).ConfigureAwait(false);
        }
        else
        {
            // Alpine's init treats a missing overlay as "boot clean".
            await TextAsync(ctx, StatusCodes.Status404NotFound, $"no overlay stored for {mac}\n").ConfigureAwait(false);
        }
        Record(ctx, HostLabel(binding), BootEventKind.Overlay);
    }

    private async Task UploadAsync(HttpContext ctx, HostBinding binding, MacAddress mac)
    {
        var refusal = UploadRefusal(ctx, binding, mac);
        if (refusal is not null)
        {
            LogUploadRefused(mac.ToString(), ctx.Connection.RemoteIpAddress?.ToString() ?? "?", refusal);
            await TextAsync(ctx, StatusCodes.Status403Forbidden, refusal + "\n").ConfigureAwait(false);
            Record(ctx, HostLabel(binding), BootEventKind.OverlayUpload);
            return;
        }
        if (ctx.Request.ContentLength > OverlayStore.MaxCompressedBytes)
        {
            await TextAsync(ctx, StatusCodes.Status413PayloadTooLarge, OverlayCheck.Describe(OverlayRejection.TooLarge) + "\n").ConfigureAwait(false);
            Record(ctx, HostLabel(binding), BootEventKind.OverlayUpload);
            return;
        }
        var result = await overlays.StoreAsync(mac, ctx.Request.Body, ctx.RequestAborted).ConfigureAwait(false);
        if (result.Stored is { } v)
        {
            LogOverlayStored(binding.Host!.Name, v.Number, v.Size);
            await TextAsync(ctx, StatusCodes.Status201Created, $"stored overlay version {v.Number} for {binding.Host.Name} ({v.Size} bytes)\n").ConfigureAwait(false);
        }
        else
        {
            var status = result.Rejection is OverlayRejection.TooLarge or OverlayRejection.UnpacksTooLarge
                ? StatusCodes.Status413PayloadTooLarge
                : StatusCodes.Status415UnsupportedMediaType;
            LogUploadRefused(mac.ToString(), ctx.Connection.RemoteIpAddress?.ToString() ?? "?", OverlayCheck.Describe(result.Rejection));
            await TextAsync(ctx, status, OverlayCheck.Describe(result.Rejection) + "\n").ConfigureAwait(false);
        }
        Record(ctx, HostLabel(binding), BootEventKind.OverlayUpload);
    }

    /// <summary>
    /// Null when this request may replace the host's overlay: a host with a static address only from that
    /// address; a host without one only with its token (RFC 6750 bearer token, see <see cref="OverlayTokens"/>).
    /// </summary>
    private string? UploadRefusal(HttpContext ctx, HostBinding binding, MacAddress mac)
    {
        if (binding.Host is not { } host) return $"{mac} is not a host of this site";
        if (binding.StaticAddress is { } own)
        {
            return ClientAddress(ctx) == own ? null
                : $"overlays for {host.Name} are accepted only from {own}, not from {ctx.Connection.RemoteIpAddress}";
        }
        return tokens.Check(mac, ctx.Request.Headers.Authorization.ToString()) switch
        {
            OverlayTokenCheck.Accepted => null,
            OverlayTokenCheck.Missing =>
                $"{host.Name} has no static address, so its uploads must carry its token (Authorization: Bearer TOKEN; on the box: netbootpi overlay token {host.Name})",
            OverlayTokenCheck.NotIssued =>
                $"no overlay token has been issued for {host.Name}: run 'netbootpi overlay token {host.Name}' on the box and put it in /etc/netbootpi/token on the host",
            _ => $"the token sent is not {host.Name}'s (rotated? 'netbootpi overlay token {host.Name}' on the box shows the current one)",
        };
    }

    private async Task FileAsync(HttpContext ctx, string root, string relative, string? contentType = null)
    {
        var refusal = SafeFiles.TryOpen(root, relative, out var file);
        switch (refusal)
        {
            case FileRefusal.BadName:
                await TextAsync(ctx, StatusCodes.Status400BadRequest, "bad file name\n").ConfigureAwait(false);
                return;
            case FileRefusal.NotFound:
                await TextAsync(ctx, StatusCodes.Status404NotFound, "not found\n").ConfigureAwait(false);
                return;
            case FileRefusal.OutsideRoot:
                LogOutsideRoot(relative, root);
                await TextAsync(ctx, StatusCodes.Status403Forbidden, "forbidden\n").ConfigureAwait(false);
                return;
        }
        using (file.Handle)
            await FileResponse.SendAsync(ctx, file, contentType ?? ContentTypes.ForFile(relative)).ConfigureAwait(false);
    }

    private static Task TextAsync(HttpContext ctx, int status, string text, string? contentType = null)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = contentType ?? ContentTypes.Text;
        ctx.Response.ContentLength = bytes.Length;
        return HttpMethods.IsHead(ctx.Request.Method) ? Task.CompletedTask : ctx.Response.Body.WriteAsync(bytes).AsTask();
    }

    private void Record(HttpContext ctx, string? host, BootEventKind kind, string? path = null)
    {
        var bytes = HttpMethods.IsPut(ctx.Request.Method) ? ctx.Request.ContentLength ?? 0 : ctx.Response.ContentLength ?? 0;
        events.Record(new BootEvent(time.GetUtcNow(), ctx.Connection.RemoteIpAddress?.ToString() ?? "?", host, kind,
            path ?? ctx.Request.Path.Value ?? "", ctx.Response.StatusCode, bytes));
    }

    /// <summary>The box as this client reached it: the connection's local address and port.</summary>
    private static BootRequest BoxOf(HttpContext ctx)
    {
        var local = ctx.Connection.LocalIpAddress ?? IPAddress.Loopback;
        if (local.IsIPv4MappedToIPv6) local = local.MapToIPv4();
        var address = local.ToString();
        var port = ctx.Connection.LocalPort;
        return new BootRequest(port == 80 ? $"http://{address}" : $"http://{address}:{port}", address);
    }

    private static Ipv4Address? ClientAddress(HttpContext ctx)
    {
        var remote = ctx.Connection.RemoteIpAddress;
        if (remote is null) return null;
        if (remote.IsIPv4MappedToIPv6) remote = remote.MapToIPv4();
        return remote.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
                ? Ipv4Address.FromIPAddress(remote) : null;
    }

    private static HostEntry? FindByClientHost(SiteInventory site, HttpContext ctx) =>
        ClientAddress(ctx) is { } client ? site.Hosts.FirstOrDefault(h => h.Ip == client) : null;

    // The directory looks at the site's hosts first itself.
    private string? FindByClient(SiteInventory site, HttpContext ctx) => ClientAddress(ctx) is { } a ? clients.Find(site, a) : null;

    private static string HostLabel(HostBinding binding) => binding.Host?.Name ?? binding.Mac.ToString();

    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "overlay upload for {Mac} from {Client} refused: {Reason}")]
    private partial void LogUploadRefused(string mac, string client, string reason);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "overlay for {Host} stored as version {Version} ({Bytes} bytes)")]
    private partial void LogOverlayStored(string host, int version, long bytes);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "refused {Path}: it resolves outside {Root} (a symlink pointing out?)")]
    private partial void LogOutsideRoot(string path, string root);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "refused a file from an NFS root for {Client}: {Detail}")]
    private partial void LogNfsRootLeadsOut(string detail, string client);

    [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "nfsroot/{Path} for {Client}: {Detail}")]
    private partial void LogNfsRootRefused(string path, string client, string detail);
}
