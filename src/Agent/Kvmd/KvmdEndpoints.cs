using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Capture;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Kvm;
using NetbootPi.Agent.Media.Catalog;
using NetbootPi.Agent.Power;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Kvmd;

/// <summary>
/// A subset of PiKVM's kvmd HTTP API over the network API, under kvmd's paths, query parameters and
/// <c>{"ok", "result"}</c> envelope, for the scripts and tools written for a PiKVM: login and its cookie, the console
/// host's power as kvmd's ATX, the image catalog and the console host's drive as kvmd's MSD, typing and keys as its
/// HID, a snapshot of the screen. Each maps onto what the native API does (the power service, the catalog's upload,
/// download and removal, the drive's attach and eject, the keyboard), with the same events and audit records; roles
/// as there (viewer reads, operator acts). docs/compat.md lists what is filled and where it differs from kvmd.
/// </summary>
public sealed partial class KvmdEndpoints(SiteState state, HostPowerService power, KvmdCredentials credentials, ImageCatalog catalog, ImageJobs jobs,
    ImageDownloads downloads, ImageEndpoints images, KvmService? kvm = null, CaptureService? capture = null) : IControlEndpoints
{
    public const string LoginPath = "/api/auth/login";
    public const string LogoutPath = "/api/auth/logout";
    public const string CheckPath = "/api/auth/check";
    public const string AtxPath = "/api/atx";
    public const string AtxPowerPath = "/api/atx/power";
    public const string AtxClickPath = "/api/atx/click";
    public const string MsdPath = "/api/msd";
    public const string MsdSetParamsPath = "/api/msd/set_params";
    public const string MsdSetConnectedPath = "/api/msd/set_connected";
    public const string MsdWritePath = "/api/msd/write";
    public const string MsdWriteRemotePath = "/api/msd/write_remote";
    public const string MsdRemovePath = "/api/msd/remove";
    public const string PrintPath = "/api/hid/print";
    public const string SendKeyPath = "/api/hid/events/send_key";
    public const string SnapshotPath = "/api/streamer/snapshot";

    public IEnumerable<ControlRoute> Routes =>
    [
        Route("POST", LoginPath, ControlRole.Anyone, false, LoginAsync,
            "kvmd's login: form fields user and passwd (the TOTP code appended when the user has TOTP); the auth_token cookie (HttpOnly, Secure, SameSite=Strict) of a session; 403 when wrong; limited and locked out as every login.",
            KvmdJson.Default.KvmdDoneReply) with { RawBody = "application/x-www-form-urlencoded" },
        Route("POST", LogoutPath, ControlRole.Viewer, true, LogoutAsync, "kvmd's logout: ends the session of the auth_token cookie.", KvmdJson.Default.KvmdDoneReply),
        Route("GET", CheckPath, ControlRole.Viewer, false, CheckAsync,
            "kvmd's check of credentials (X-KVMD-User/X-KVMD-Passwd, the auth_token cookie, Basic, or a bearer token): 200, 401 none, 403 wrong.", KvmdJson.Default.KvmdDoneReply),
        Route("GET", AtxPath, ControlRole.Viewer, false, AtxAsync,
            "kvmd's ATX state of the console host: enabled when it has power: wiring, the power LED as its driver reads the power state.", KvmdJson.Default.KvmdAtxReply),
        Route("POST", AtxPowerPath, ControlRole.Operator, true, AtxPowerAsync,
            "kvmd's ATX power of the console host: on, off (graceful), off_hard, reset_hard through its power: wiring, as POST /api/v1/power; answers when done.",
            KvmdJson.Default.KvmdDoneReply) with
        {
            HostOf = ConsoleHost,
            Query = [new("action", true, "on, off, off_hard or reset_hard"), new("wait", false, "accepted; the answer always comes when the action is done")],
        },
        Route("POST", AtxClickPath, ControlRole.Operator, true, AtxClickAsync,
            "kvmd's ATX buttons of the console host: power (off gracefully when on, else on), power_long (off by force), reset, through its power: wiring.",
            KvmdJson.Default.KvmdDoneReply) with
        {
            HostOf = ConsoleHost,
            Query = [new("button", true, "power, power_long or reset"), new("wait", false, "accepted; the answer always comes when the action is done")],
        },
        Route("GET", MsdPath, ControlRole.Viewer, false, MsdAsync,
            "kvmd's MSD state: the catalog's images as the storage, its file system as the one partition, an add under way, the console host's drive.",
            KvmdJson.Default.KvmdMsdReply),
        Route("POST", MsdSetParamsPath, ControlRole.Operator, true, SetParamsAsync,
            "kvmd's drive parameters while it is disconnected: the catalog's image, CD-ROM or disk, writable; set_connected then puts it in the drive.",
            KvmdJson.Default.KvmdDoneReply) with
        {
            HostOf = ConsoleHost,
            Query = [new("image", false, "an image of the catalog (empty: none)"), new("cdrom", false, "1 CD-ROM, 0 disk"), new("rw", false, "1 writable (a disk only), 0 read-only")],
        },
        Route("POST", MsdSetConnectedPath, ControlRole.Operator, true, SetConnectedAsync,
            "kvmd's drive connection: 1 puts the image set_params chose in the console host's drive (as POST /api/v1/kvm/media/attach), 0 ejects it.",
            KvmdJson.Default.KvmdDoneReply) with
        {
            HostOf = ConsoleHost,
            Query = [new("connected", true, "1 connect, 0 disconnect")],
        },
        Route("POST", MsdWritePath, ControlRole.Operator, true, WriteAsync,
            "kvmd's upload: the request's raw body into the catalog as the image named, streamed as POST /api/v1/images/upload; answers with its name, size and bytes written.",
            KvmdJson.Default.KvmdWriteReply) with
        {
            Query = [new("image", true, "the image's name: letters, digits and . _ - +")],
            RawBody = "application/octet-stream",
        },
        Route("POST", MsdWriteRemotePath, ControlRole.Operator, true, WriteRemoteAsync,
            "kvmd's download by URL into the catalog, as POST /api/v1/images/fetch (its URL rules): its progress as lines of JSON (application/x-ndjson) until it ends.",
            null) with
        {
            Query = [new("url", true, "an http or https URL"), new("image", false, "the image's name (default: the URL's last segment)")],
            ReplyMediaType = "application/x-ndjson",
        },
        Route("POST", MsdRemovePath, ControlRole.Operator, true, RemoveAsync,
            "kvmd's removal of an image from the storage, as POST /api/v1/images/remove (refused while it is in the drive).", KvmdJson.Default.KvmdDoneReply) with
        {
            Query = [new("image", true, "the image's name")],
        },
        Route("POST", PrintPath, ControlRole.Operator, true, PrintAsync,
            "kvmd's typing: the text body typed on the console host's keyboard in the site's layout or the keymap named, as POST /api/v1/kvm/type.",
            KvmdJson.Default.KvmdDoneReply) with
        {
            HostOf = ConsoleHost,
            Query = [new("limit", false, "type at most this many characters (default 1024; 0: all, at most 4096)"), new("keymap", false, "a layout (us, de, fr... or kvmd's en-us, de-ch...)")],
            RawBody = "text/plain",
        },
        Route("POST", SendKeyPath, ControlRole.Operator, true, SendKeyAsync,
            "kvmd's key event: a key by its KeyboardEvent.code name (KeyA, Enter, ControlLeft...) pressed (state=1), released (state=0), or pressed and released.",
            KvmdJson.Default.KvmdDoneReply) with
        {
            HostOf = ConsoleHost,
            Query = [new("key", true, "a KeyboardEvent.code name"), new("state", false, "1 press and hold, 0 release; without: press and release")],
        },
        Route("GET", SnapshotPath, ControlRole.Viewer, false, SnapshotAsync, "kvmd's snapshot of the console host's screen: the capture's last frame as a JPEG.", null)
            with { ReplyMediaType = "image/jpeg" },
    ];

    private ControlRoute Route(string method, string path, ControlRole role, bool changes, ControlHandler handler, string summary, JsonTypeInfo? reply) =>
        new(method, path, role, changes, handler)
        {
            NetworkOnly = true,
            Summary = summary,
            Reply = reply,
            Refused = KvmdReplies.RefuseAsync,
            RefusalReply = KvmdJson.Default.KvmdErrorReply,
            Credentials = credentials.AuthenticateAsync,
        };

    private string? ConsoleHost(HttpContext context) => state.Current.Kvm?.Host;
}
