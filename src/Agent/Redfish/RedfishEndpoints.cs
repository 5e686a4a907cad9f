using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Control.Accounts;
using NetbootPi.Agent.Control.Network;
using NetbootPi.Agent.Kvm;
using NetbootPi.Agent.Media.Catalog;
using NetbootPi.Agent.Power;
using NetbootPi.Agent.Site;
using NetbootPi.Hardware.UsbGadget;

namespace NetbootPi.Agent.Redfish;

/// <summary>
/// A Redfish service (DMTF DSP0266) over the network API, for the tools that speak it (Ironic's sushy, redfishtool,
/// curl one-liners): one ComputerSystem per host the box can power, and the console host; ComputerSystem.Reset with
/// the ResetTypes each host's wiring can do, and a one-time boot override to Pxe (<see cref="BootOverrides"/>); the box as the Manager whose VirtualMedia is the console host's USB
/// drive (InsertMedia takes an image of the catalog or an http(s) URL, which goes into the catalog first); sessions
/// (X-Auth-Token). Every action goes through the same services as the native API, with the same events and audit
/// records; roles as there (viewer reads, operator acts). docs/compat.md says what is filled and where we differ.
/// </summary>
public sealed class RedfishEndpoints(SiteState state, HostPowerService power, BootOverrides overrides, SessionStore sessions, PasswordLogins logins, string version,
    KvmService? kvm = null, ImageCatalog? catalog = null, ImageDownloads? downloads = null) : IControlEndpoints
{
    public const string Root = "/redfish/v1";
    public const string SystemsPath = Root + "/Systems";
    public const string ManagersPath = Root + "/Managers";
    public const string SessionServicePath = Root + "/SessionService";
    public const string SessionsPath = SessionServicePath + "/Sessions";

    /// <summary>The box as a Manager: its one id.</summary>
    public const string ManagerId = "netbootpi";

    /// <summary>The console host's drive: the one VirtualMedia.</summary>
    public const string MediaId = "usb";

    private const string SystemPath = SystemsPath + "/{id}";
    private const string ManagerPath = ManagersPath + "/" + ManagerId;
    private const string MediaPath = ManagerPath + "/VirtualMedia/" + MediaId;

    /// <summary>How long InsertMedia waits for the download of a URL before it answers that it goes on.</summary>
    public static readonly TimeSpan DownloadWait = TimeSpan.FromMinutes(10);

    public IEnumerable<ControlRoute> Routes =>
    [
        Route("GET", "/redfish", ControlRole.Anyone, false, VersionsAsync, "The Redfish protocol versions the box speaks (v1).", RedfishJson.Default.RedfishVersions),
        Route("GET", Root, ControlRole.Anyone, false, ServiceRootAsync, "The Redfish service root: links to the systems, the manager and the sessions.", RedfishJson.Default.ServiceRoot),
        Route("GET", SystemsPath, ControlRole.Viewer, false, SystemsAsync, "The hosts the box can power, and the console host, as Redfish ComputerSystems.", RedfishJson.Default.ResourceCollection),
        Route("GET", SystemPath, ControlRole.Viewer, false, SystemAsync,
            "A host as a Redfish ComputerSystem: its power state as its driver reads it, and the ResetTypes its wiring can do.", RedfishJson.Default.ComputerSystem),
        Route("PATCH", SystemPath, ControlRole.Operator, true, PatchSystemAsync,
            "Sets the boot override: Boot.BootSourceOverrideTarget Pxe with BootSourceOverrideEnabled Once (the host's network boot at its next script, then its profile again), or None/Disabled to clear it (204; 400 what the host cannot take).",
            null, RedfishJson.Default.SystemPatch) with { HostOf = c => c.Request.RouteValues["id"] as string },
        Route("POST", SystemPath + "/Actions/ComputerSystem.Reset", ControlRole.Operator, true, ResetAsync,
            "ComputerSystem.Reset: On, ForceOff, GracefulShutdown, ForceRestart or PowerCycle as the host's wiring can (204; 400 a ResetType it cannot do, 422 when the action failed).",
            null, RedfishJson.Default.ResetRequest) with { HostOf = c => c.Request.RouteValues["id"] as string },
        Route("GET", ManagersPath, ControlRole.Viewer, false, ManagersAsync, "The box itself as the one Redfish Manager.", RedfishJson.Default.ResourceCollection),
        Route("GET", ManagerPath, ControlRole.Viewer, false, ManagerAsync, "The box as a Redfish Manager: its version and its virtual media.", RedfishJson.Default.Manager),
        Route("GET", ManagerPath + "/VirtualMedia", ControlRole.Viewer, false, MediaCollectionAsync,
            "The console host's USB drive as the Manager's one VirtualMedia (none when the site has no kvm:).", RedfishJson.Default.ResourceCollection),
        Route("GET", MediaPath, ControlRole.Viewer, false, MediaAsync, "The console host's USB drive: the image in it, CD or disk, write-protected or not.", RedfishJson.Default.VirtualMedia),
        Route("POST", MediaPath + "/Actions/VirtualMedia.InsertMedia", ControlRole.Operator, true, InsertAsync,
            "VirtualMedia.InsertMedia: an image of the catalog by name, or an http(s) URL downloaded into the catalog first (as POST /api/v1/images/fetch does); a CD when it holds an ISO 9660 file system, else a disk (204).",
            null, RedfishJson.Default.InsertMediaRequest) with { HostOf = _ => kvm?.Settings?.Host },
        Route("POST", MediaPath + "/Actions/VirtualMedia.EjectMedia", ControlRole.Operator, true, EjectAsync,
            "VirtualMedia.EjectMedia: empties the console host's drive (204).") with { HostOf = _ => kvm?.Settings?.Host },
        Route("GET", SessionServicePath, ControlRole.Viewer, false, SessionServiceAsync, "The Redfish session service: the session timeout.", RedfishJson.Default.SessionService),
        Route("GET", SessionsPath, ControlRole.Viewer, false, SessionsAsync, "The caller's live sessions (an admin's: everyone's).", RedfishJson.Default.ResourceCollection),
        Route("POST", SessionsPath, ControlRole.Anyone, false, CreateSessionAsync,
            "Logs in (UserName, Password with the TOTP code appended when the user has TOTP): 201, the session's token in X-Auth-Token and its URI in Location; limited and locked out as every login is.",
            RedfishJson.Default.RedfishSession, RedfishJson.Default.SessionRequest),
        Route("GET", SessionsPath + "/{id}", ControlRole.Viewer, false, SessionAsync, "One session (the caller's own, or any for an admin).", RedfishJson.Default.RedfishSession),
        Route("DELETE", SessionsPath + "/{id}", ControlRole.Viewer, true, DeleteSessionAsync, "Ends a session (the caller's own, or any for an admin): 204."),
    ];

    private static ControlRoute Route(string method, string path, ControlRole role, bool changes, ControlHandler handler, string summary,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo? reply = null, System.Text.Json.Serialization.Metadata.JsonTypeInfo? body = null) =>
        new(method, path, role, changes, handler)
        {
            NetworkOnly = true,
            Summary = summary,
            Reply = reply,
            Body = body,
            Refused = RedfishReplies.RefuseAsync,
            RefusalReply = RedfishJson.Default.RedfishErrorReply,
            Challenge = "Basic realm=\"netbootpi\"",
        };

    private Task VersionsAsync(HttpContext context, ControlCaller caller) =>
        RedfishReplies.WriteAsync(context, StatusCodes.Status200OK, new RedfishVersions(Root + "/"), RedfishJson.Default.RedfishVersions);

    private Task ServiceRootAsync(HttpContext context, ControlCaller caller) =>
        RedfishReplies.WriteAsync(context, StatusCodes.Status200OK, new ServiceRoot("#ServiceRoot.v1_5_0.ServiceRoot", Root, "RootService", "netbootpi",
            "1.8.0", ServiceUuid(), new ODataLink(SystemsPath), new ODataLink(ManagersPath), new ODataLink(SessionServicePath),
            new ServiceRootLinks(new ODataLink(SessionsPath))), RedfishJson.Default.ServiceRoot);

    /// <summary>A UUID that stays the box's own across restarts: from the site's name, as a name-based (v5-like) UUID.</summary>
    private string ServiceUuid()
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("netbootpi redfish " + state.Current.Site.Name));
        hash[6] = (byte)((hash[6] & 0x0f) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3f) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }

    /// <summary>The hosts that are systems: those with power wiring, and the console host.</summary>
    private IEnumerable<HostEntry> Systems()
    {
        var site = state.Current;
        return site.Hosts.Where(h => h.Power is not null || string.Equals(h.Name, site.Kvm?.Host, StringComparison.OrdinalIgnoreCase));
    }

    private HostEntry? FindSystem(HttpContext context) =>
        context.Request.RouteValues["id"] is string id ? Systems().FirstOrDefault(h => string.Equals(h.Name, id, StringComparison.Ordinal)) : null;

    private Task SystemsAsync(HttpContext context, ControlCaller caller)
    {
        var members = Systems().Select(h => new ODataLink($"{SystemsPath}/{Uri.EscapeDataString(h.Name)}")).ToArray();
        return RedfishReplies.WriteAsync(context, StatusCodes.Status200OK,
            new ResourceCollection("#ComputerSystemCollection.ComputerSystemCollection", SystemsPath, "Computer System Collection", members.Length, members),
            RedfishJson.Default.ResourceCollection);
    }

    private async Task SystemAsync(HttpContext context, ControlCaller caller)
    {
        if (FindSystem(context) is not { } host)
        {
            await NoSystemAsync(context).ConfigureAwait(false);
            return;
        }
        string? powerState = null;
        if (host.Power is not null)
        {
            var status = await power.RunAsync(host, PowerAction.Status, caller.EventClient, context.RequestAborted).ConfigureAwait(false);
            powerState = status.State switch
            {
                Hardware.Power.PowerState.On => "On",
                Hardware.Power.PowerState.Off => "Off",
                _ => null,
            };
        }
        var path = $"{SystemsPath}/{Uri.EscapeDataString(host.Name)}";
        var domain = state.Current.Site.Domain;
        await RedfishReplies.WriteAsync(context, StatusCodes.Status200OK, new ComputerSystem("#ComputerSystem.v1_13_0.ComputerSystem", path, host.Name, host.Name,
            "Physical", domain is null ? host.Name : $"{host.Name}.{domain}", powerState,
            new ResourceStatus("Enabled", null),
            BootOf(host),
            new ComputerSystemActions(new ResetActionInfo(path + "/Actions/ComputerSystem.Reset", ResetTypes.Of(host.Power))),
            new ComputerSystemLinks([new ODataLink(ManagerPath)])), RedfishJson.Default.ComputerSystem).ConfigureAwait(false);
    }

    private SystemBoot BootOf(HostEntry host)
    {
        var once = overrides.Of(host.Name) is not null;
        var pxe = state.Current.Resolve(host.Mac).PxeProfile is not null;
        return new SystemBoot(once ? "Once" : "Disabled", ["Disabled", "Once"], once ? "Pxe" : "None", pxe ? ["None", "Pxe"] : ["None"]);
    }

    private async Task PatchSystemAsync(HttpContext context, ControlCaller caller)
    {
        if (FindSystem(context) is not { } host)
        {
            await NoSystemAsync(context).ConfigureAwait(false);
            return;
        }
        if (await ControlBody.ReadAsync(context, RedfishJson.Default.SystemPatch, RedfishReplies.RefuseAsync).ConfigureAwait(false) is not { } patch) return;
        var other = (patch.Other?.Keys ?? Enumerable.Empty<string>()).Where(k => !k.StartsWith('@'))
            .Concat((patch.Boot?.Other?.Keys ?? Enumerable.Empty<string>()).Where(k => !k.Contains('@', StringComparison.Ordinal)).Select(k => "Boot/" + k)).ToList();
        if (other.Count > 0)
        {
            await RedfishReplies.ErrorAsync(context, StatusCodes.Status400BadRequest, "PropertyNotWritable",
                $"{string.Join(", ", other)}: only Boot/BootSourceOverrideTarget and Boot/BootSourceOverrideEnabled can be changed on {host.Name} (the box cannot set a host's firmware boot mode or order)").ConfigureAwait(false);
            return;
        }
        if (patch.Boot is not { } boot || (boot.BootSourceOverrideTarget is null && boot.BootSourceOverrideEnabled is null))
        {
            await RedfishReplies.ErrorAsync(context, StatusCodes.Status400BadRequest, "PropertyMissing",
                "the PATCH changes nothing: send Boot with BootSourceOverrideTarget (Pxe or None) and BootSourceOverrideEnabled (Once or Disabled)").ConfigureAwait(false);
            return;
        }
        var enabled = boot.BootSourceOverrideEnabled;
        if (enabled is not (null or "Once" or "Disabled"))
        {
            await RedfishReplies.ErrorAsync(context, StatusCodes.Status400BadRequest, "PropertyValueNotInList", enabled == "Continuous"
                ? "BootSourceOverrideEnabled Continuous is not taken: a lasting network boot is the host's profile in the site file; Once or Disabled"
                : $"BootSourceOverrideEnabled '{enabled}' is not one of Once, Disabled").ConfigureAwait(false);
            return;
        }
        var binding = state.Current.Resolve(host.Mac);
        var target = boot.BootSourceOverrideTarget;
        var allowed = binding.PxeProfile is null ? "None" : "Pxe, None";
        if (target is not (null or "Pxe" or "None"))
        {
            await RedfishReplies.ErrorAsync(context, StatusCodes.Status400BadRequest, "PropertyValueNotInList",
                $"BootSourceOverrideTarget '{target}' is not one host {host.Name} can take ({allowed}): the box serves network boots, it cannot choose a host's disk or CD").ConfigureAwait(false);
            return;
        }
        var clear = target == "None" || enabled == "Disabled";
        if (!clear && target is null && overrides.Of(host.Name) is null)
        {
            await RedfishReplies.ErrorAsync(context, StatusCodes.Status400BadRequest, "PropertyMissing",
                $"BootSourceOverrideEnabled Once with no override set on {host.Name}: send BootSourceOverrideTarget Pxe with it").ConfigureAwait(false);
            return;
        }
        try
        {
            // Pxe with Once, or Pxe alone (a one-time override, as most BMCs take it).
            if (clear) overrides.Clear(host, caller.EventClient);
            else if (target == "Pxe") overrides.SetPxe(host, caller.EventClient);
        }
        catch (BootOverrideException e)
        {
            await RedfishReplies.ErrorAsync(context, StatusCodes.Status400BadRequest, "PropertyValueNotInList",
                $"BootSourceOverrideTarget Pxe: {e.Message}").ConfigureAwait(false);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task ResetAsync(HttpContext context, ControlCaller caller)
    {
        if (FindSystem(context) is not { } host)
        {
            await NoSystemAsync(context).ConfigureAwait(false);
            return;
        }
        if (await ControlBody.ReadAsync(context, RedfishJson.Default.ResetRequest, RedfishReplies.RefuseAsync).ConfigureAwait(false) is not { } request) return;
        var allowed = ResetTypes.Of(host.Power);
        if (request.ResetType is not { } type)
        {
            await RedfishReplies.ErrorAsync(context, StatusCodes.Status400BadRequest, "ActionParameterMissing",
                $"ComputerSystem.Reset needs ResetType (one of {Join(allowed)})").ConfigureAwait(false);
            return;
        }
        if (ResetTypes.Action(host.Power, type) is not { } action)
        {
            await RedfishReplies.ErrorAsync(context, StatusCodes.Status400BadRequest, "ActionParameterNotSupported", allowed.Length == 0
                ? $"host {host.Name} has no power: wiring, so no ResetType (docs/power.md)"
                : $"ResetType '{type}' is not one host {host.Name}'s wiring ({HostPower.DriverName(host.Power!.Driver)}) can do: {Join(allowed)}").ConfigureAwait(false);
            return;
        }
        var reply = await power.RunAsync(host, action, caller.EventClient, context.RequestAborted).ConfigureAwait(false);
        if (!reply.Succeeded)
        {
            await RedfishReplies.ErrorAsync(context, StatusCodes.Status422UnprocessableEntity, "GeneralError", $"{type} on {host.Name}: {reply.Message}").ConfigureAwait(false);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private Task NoSystemAsync(HttpContext context) =>
        RedfishReplies.ErrorAsync(context, StatusCodes.Status404NotFound, "ResourceMissingAtURI",
            $"no system {context.Request.RouteValues["id"]}: the systems are the hosts with power: wiring and the console host ({SystemsPath})");

    private Task ManagersAsync(HttpContext context, ControlCaller caller) =>
        RedfishReplies.WriteAsync(context, StatusCodes.Status200OK,
            new ResourceCollection("#ManagerCollection.ManagerCollection", ManagersPath, "Manager Collection", 1, [new ODataLink(ManagerPath)]),
            RedfishJson.Default.ResourceCollection);

    private Task ManagerAsync(HttpContext context, ControlCaller caller) =>
        RedfishReplies.WriteAsync(context, StatusCodes.Status200OK, new Manager("#Manager.v1_10_0.Manager", ManagerPath, ManagerId, "netbootpi " + state.Current.Site.Name,
            "ManagementController", version, ServiceUuid(), new ResourceStatus("Enabled", "OK"), new ODataLink(ManagerPath + "/VirtualMedia"),
            new ManagerLinks([.. Systems().Select(h => new ODataLink($"{SystemsPath}/{Uri.EscapeDataString(h.Name)}"))])), RedfishJson.Default.Manager);

    private Task MediaCollectionAsync(HttpContext context, ControlCaller caller)
    {
        ODataLink[] members = kvm?.Gadget is null ? [] : [new ODataLink(MediaPath)];
        return RedfishReplies.WriteAsync(context, StatusCodes.Status200OK,
            new ResourceCollection("#VirtualMediaCollection.VirtualMediaCollection", ManagerPath + "/VirtualMedia", "Virtual Media Collection", members.Length, members),
            RedfishJson.Default.ResourceCollection);
    }

    /// <summary>True after answering 404 when there is no drive: no kvm: in the site, or its gadget could not be built.</summary>
    private async Task<bool> NoDriveAsync(HttpContext context)
    {
        if (kvm?.Gadget is not null && catalog is not null) return false;
        await RedfishReplies.ErrorAsync(context, StatusCodes.Status404NotFound, "ResourceMissingAtURI",
            kvm?.Settings is null ? "the site names no console host (kvm:), so there is no virtual media (docs/console.md)"
            : $"the console host's USB gadget is not there: {kvm.Failure ?? "it was not built"}").ConfigureAwait(false);
        return true;
    }

    private async Task MediaAsync(HttpContext context, ControlCaller caller)
    {
        if (await NoDriveAsync(context).ConfigureAwait(false)) return;
        var media = kvm!.Gadget!.Media;
        var name = media.File is { } file ? Path.GetFileName(file) : null;
        var source = name is null ? null : catalog!.Find(name)?.Source;
        await RedfishReplies.WriteAsync(context, StatusCodes.Status200OK, new VirtualMedia("#VirtualMedia.v1_6_0.VirtualMedia", MediaPath, MediaId,
            $"USB drive of {kvm.Settings!.Host}", ["CD", "USBStick"], source is not null && source.Contains("://", StringComparison.Ordinal) ? source : name, name,
            media.File is not null, media.ReadOnly, media.File is null ? "NotConnected" : "URI",
            new VirtualMediaActions(new ActionTarget(MediaPath + "/Actions/VirtualMedia.InsertMedia"), new ActionTarget(MediaPath + "/Actions/VirtualMedia.EjectMedia"))),
            RedfishJson.Default.VirtualMedia).ConfigureAwait(false);
    }

    private async Task InsertAsync(HttpContext context, ControlCaller caller)
    {
        if (await NoDriveAsync(context).ConfigureAwait(false)) return;
        if (await ControlBody.ReadAsync(context, RedfishJson.Default.InsertMediaRequest, RedfishReplies.RefuseAsync).ConfigureAwait(false) is not { } request) return;
        if (string.IsNullOrWhiteSpace(request.Image))
        {
            await RedfishReplies.ErrorAsync(context, StatusCodes.Status400BadRequest, "ActionParameterMissing",
                "InsertMedia needs Image: the name of an image in the catalog, or an http(s) URL").ConfigureAwait(false);
            return;
        }
        if (request.Inserted == false)
        {
            await RedfishReplies.ErrorAsync(context, StatusCodes.Status400BadRequest, "ActionParameterValueNotInList",
                "Inserted false would leave the image out of the drive: InsertMedia always inserts (EjectMedia ejects)").ConfigureAwait(false);
            return;
        }
        if (request.UserName is not null || request.Password is not null)
        {
            await RedfishReplies.ErrorAsync(context, StatusCodes.Status400BadRequest, "ActionParameterNotSupported",
                "UserName and Password are not taken: the catalog fetches without credentials (they would be logged); put the image where it can be fetched without, or upload it").ConfigureAwait(false);
            return;
        }
        string name;
        try
        {
            name = await ImageOfAsync(request.Image.Trim(), caller, context.RequestAborted).ConfigureAwait(false);
        }
        catch (CatalogException e)
        {
            await RedfishReplies.ErrorAsync(context, ImageEndpoints.StatusOf(e.Failure), e.Failure == CatalogFailure.BadRequest ? "ActionParameterValueFormatError" : "GeneralError", e.Message)
                .ConfigureAwait(false);
            return;
        }
        if (!MediaImages.TryResolve(state.Current.Server.DataDirectory, name, out var path, out var error))
        {
            await RedfishReplies.ErrorAsync(context, StatusCodes.Status404NotFound, "ResourceNotFound", error).ConfigureAwait(false);
            return;
        }
        var mode = MediaImages.IsIso9660(path) ? MediaMode.CdRom : MediaMode.Disk;
        var readOnly = request.WriteProtected ?? true;
        if (mode == MediaMode.CdRom && !readOnly)
        {
            await RedfishReplies.ErrorAsync(context, StatusCodes.Status400BadRequest, "ActionParameterValueConflict",
                $"{name} holds an ISO 9660 file system, so it goes in as a CD, which is read-only: WriteProtected false does not apply").ConfigureAwait(false);
            return;
        }
        try
        {
            kvm!.AttachImage(name, path, mode, readOnly, caller.EventClient);
        }
        catch (UsbGadgetException e)
        {
            await RedfishReplies.ErrorAsync(context, StatusCodes.Status422UnprocessableEntity, "GeneralError", e.Message).ConfigureAwait(false);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>
    /// The catalog's name for <paramref name="image"/>: a name as it is; a URL's image when the catalog has it from that
    /// URL already, else downloaded now under the catalog's rules (waited for up to <see cref="DownloadWait"/>).
    /// </summary>
    private async Task<string> ImageOfAsync(string image, ControlCaller caller, CancellationToken cancellation)
    {
        if (!image.Contains("://", StringComparison.Ordinal)) return image;
        var url = ImageFetcher.Check(image);
        var name = ImageName.FromUrl(url)
            ?? throw new CatalogException(CatalogFailure.BadName, $"the URL's last segment is no image name (letters, digits and . _ - +): add it with a name first (netbootpi media add URL --name NAME)");
        if (catalog!.Find(name) is { } known)
        {
            if (known.Source == ImageFetcher.Shown(url)) return name;
            throw new CatalogException(CatalogFailure.Exists,
                $"the catalog has an image {name} from {known.Source ?? "elsewhere"}, not from this URL: remove it first, or add the URL under another name and insert that");
        }
        var job = downloads!.Enqueue(image, name, null, caller.EventClient);
        await job.WaitForEndAsync(DownloadWait, catalog.Time, cancellation).ConfigureAwait(false);
        if (job.State == ImageJobState.Done) return name;
        if (!job.IsOver)
            throw new CatalogException(CatalogFailure.Busy,
                $"the download of {name} goes on ({job.Bytes:N0} bytes so far; GET /api/v1/images/jobs?id={job.Id}): insert it again once it is in the catalog");
        throw new CatalogException(job.Failure ?? CatalogFailure.FetchFailed, job.Message ?? $"the download of {name} failed");
    }

    private async Task EjectAsync(HttpContext context, ControlCaller caller)
    {
        if (await NoDriveAsync(context).ConfigureAwait(false)) return;
        try
        {
            kvm!.EjectImage(caller.EventClient);
        }
        catch (UsbGadgetException e)
        {
            await RedfishReplies.ErrorAsync(context, StatusCodes.Status422UnprocessableEntity, "GeneralError", e.Message).ConfigureAwait(false);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private Task SessionServiceAsync(HttpContext context, ControlCaller caller) =>
        RedfishReplies.WriteAsync(context, StatusCodes.Status200OK, new SessionService("#SessionService.v1_1_8.SessionService", SessionServicePath, "SessionService",
            "Session Service", true, (int)sessions.IdleTimeout.TotalSeconds, new ODataLink(SessionsPath)), RedfishJson.Default.SessionService);

    /// <summary>The sessions <paramref name="caller"/> may see: an admin every one, anyone else their own.</summary>
    private IEnumerable<Session> Visible(ControlCaller caller) =>
        sessions.All.Where(s => caller.Role == ControlRole.Admin || s.User == (caller.Session?.User ?? caller.User));

    private Task SessionsAsync(HttpContext context, ControlCaller caller)
    {
        var members = Visible(caller).Select(s => new ODataLink($"{SessionsPath}/{s.Id}")).ToArray();
        return RedfishReplies.WriteAsync(context, StatusCodes.Status200OK,
            new ResourceCollection("#SessionCollection.SessionCollection", SessionsPath, "Session Collection", members.Length, members), RedfishJson.Default.ResourceCollection);
    }

    private static RedfishSession Resource(Session s) => new("#Session.v1_3_0.Session", $"{SessionsPath}/{s.Id}", s.Id, "User Session", s.User);

    private async Task CreateSessionAsync(HttpContext context, ControlCaller caller)
    {
        if (await ControlBody.ReadAsync(context, RedfishJson.Default.SessionRequest, RedfishReplies.RefuseAsync).ConfigureAwait(false) is not { } request) return;
        if (request.UserName is not { Length: > 0 } name || request.Password is not { } password)
        {
            await RedfishReplies.ErrorAsync(context, StatusCodes.Status400BadRequest, "PropertyMissing", "a session needs UserName and Password").ConfigureAwait(false);
            return;
        }
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var outcome = await logins.CheckAppendedAsync(name, password, address, context.RequestAborted).ConfigureAwait(false);
        if (outcome.User is not { } user)
        {
            if (outcome.RetryAfterSeconds > 0) context.Response.Headers.RetryAfter = outcome.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await RedfishReplies.RefuseAsync(context, outcome.Status, outcome.Why).ConfigureAwait(false);
            return;
        }
        var (token, session) = sessions.Create(user.Name, user.Role);
        context.Response.Headers[ControlNetworkService.AuthTokenHeader] = token;
        context.Response.Headers.Location = $"{SessionsPath}/{session.Id}";
        await RedfishReplies.WriteAsync(context, StatusCodes.Status201Created, Resource(session), RedfishJson.Default.RedfishSession).ConfigureAwait(false);
    }

    private async Task SessionAsync(HttpContext context, ControlCaller caller)
    {
        if (Visible(caller).FirstOrDefault(s => s.Id == context.Request.RouteValues["id"] as string) is not { } session)
        {
            await RedfishReplies.ErrorAsync(context, StatusCodes.Status404NotFound, "ResourceMissingAtURI", $"no session {context.Request.RouteValues["id"]} of yours").ConfigureAwait(false);
            return;
        }
        await RedfishReplies.WriteAsync(context, StatusCodes.Status200OK, Resource(session), RedfishJson.Default.RedfishSession).ConfigureAwait(false);
    }

    private async Task DeleteSessionAsync(HttpContext context, ControlCaller caller)
    {
        if (Visible(caller).FirstOrDefault(s => s.Id == context.Request.RouteValues["id"] as string) is not { } session || !sessions.RemoveById(session.Id))
        {
            await RedfishReplies.ErrorAsync(context, StatusCodes.Status404NotFound, "ResourceMissingAtURI", $"no session {context.Request.RouteValues["id"]} of yours").ConfigureAwait(false);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static string Join(string[] values) => values.Length == 0 ? "none" : string.Join(", ", values);
}
