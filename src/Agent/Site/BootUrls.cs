using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Site;

/// <summary>The box's URL scheme, in one place: DHCP hands these out, the HTTP service serves them.</summary>
public static class BootUrls
{
    public static string Base(Ipv4Address box, int port) => port == 80 ? $"http://{box}" : $"http://{box}:{port}";

    /// <summary>The per-host iPXE script, named by the canonical MAC (iPXE's <c>${net0/mac}</c> spelling).</summary>
    public static string Script(string baseUrl, MacAddress mac) => $"{baseUrl}/boot/{mac}.ipxe";

    /// <summary>The generic entry for <c>chain http://BOX/boot.ipxe</c> typed at an iPXE prompt.</summary>
    public static string GenericScript(string baseUrl) => $"{baseUrl}/boot.ipxe";

    /// <summary>The Alpine overlay; Alpine's init writes <c>{MAC}</c> in this same colon form.</summary>
    public static string Overlay(string baseUrl, MacAddress mac) => $"{baseUrl}/apkovl/{mac}.tar.gz";

    /// <summary>
    /// The overlay URL with Alpine's own <c>{MAC}</c> placeholder left in: Alpine's init fills in the MAC of
    /// the NIC it booted from, so the kernel command line needs no MAC of its own.
    /// </summary>
    public static string OverlayTemplate(string baseUrl) => $"{baseUrl}/apkovl/{{MAC}}.tar.gz";

    public static string SshKeys(string baseUrl) => $"{baseUrl}/keys.pub";

    /// <summary>A first-stage loader from the TFTP root, for UEFI HTTP boot clients (option 93 = 16).</summary>
    public static string Loader(string baseUrl, string loader) => $"{baseUrl}{LoadersPrefix}{loader}";

    /// <summary>The path prefix under which the TFTP root is served over HTTP.</summary>
    public const string LoadersPrefix = "/loaders/";

    /// <summary>The path prefix under which files of <c>server.data_dir</c> are served.</summary>
    public const string FilesPrefix = "/files/";

    /// <summary>A file under <c>server.data_dir</c>, by its path relative to it (each segment escaped).</summary>
    public static string File(string baseUrl, string relativePath) =>
        baseUrl + FilesPrefix + string.Join('/', relativePath.Split('/').Select(Uri.EscapeDataString));

    /// <summary>The path prefix of the image catalog (<c>DATA_DIR/images/NAME</c>): <c>/images/NAME</c>.</summary>
    public const string ImagesPrefix = "/images/";

    /// <summary>An image of the catalog, for <c>sanboot</c> (its name needs no escaping: the catalog's names are plain).</summary>
    public static string Image(string baseUrl, string name) => baseUrl + ImagesPrefix + name;

    /// <summary>The path prefix of files served from inside a machine's NFS root: <c>/nfsroot/PROFILE/MAC/PATH</c>.</summary>
    public const string NfsRootPrefix = "/nfsroot/";

    /// <summary>A profile's <c>{nfsroot}/PATH</c> artifact for one machine (its MAC names whose root).</summary>
    public static string NfsRootFile(string baseUrl, string profile, MacAddress mac, string inRoot) =>
        $"{baseUrl}{NfsRootPrefix}{Uri.EscapeDataString(profile)}/{mac.ToString(MacFormat.Hyphen)}/" + string.Join('/', inRoot.Split('/').Select(Uri.EscapeDataString));

    /// <summary>The path prefix of mirror artifacts the box caches: <c>/upstream/PROFILE/NAME</c>.</summary>
    public const string UpstreamPrefix = "/upstream/";

    /// <summary>Where the box serves a profile's mirror artifacts (fetched once, then kept).</summary>
    public static string Upstream(string baseUrl, string profile) => $"{baseUrl}{UpstreamPrefix}{profile}";

    /// <summary>The host-side script that packs an Alpine overlay with <c>lbu package</c> and uploads it.</summary>
    public static string OverlayUploader(string baseUrl) => $"{baseUrl}/apkovl/upload.sh";

    /// <summary>Where a host's install files are: <c>/install/MAC/TOKEN/FILE</c> (<see cref="InstallValues.PathMac"/>).</summary>
    public const string InstallPrefix = "/install/";

    /// <summary>The folder of a host's install files, with its token for this install, ending in '/'.</summary>
    public static string Install(string baseUrl, MacAddress mac, string token) => $"{baseUrl}{InstallPrefix}{InstallValues.PathMac(mac)}/{token}/";

    /// <summary>The name under <see cref="Install"/> that a finished install calls (GET or POST).</summary>
    public const string InstallDone = "done";
}
