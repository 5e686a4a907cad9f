using System.Net;
using System.Runtime.CompilerServices;
using NetbootPi.Agent.Health;
using NetbootPi.Agent.Http;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Net;
using NetbootPi.Protocols.Tftp;

namespace NetbootPi.Agent.Tftp;

/// <summary>
/// The TFTP root of the current site snapshot, with the Raspberry Pi layout: a Pi asks for
/// <c>SERIAL/start4.elf</c>; a serial the site knows (<c>hosts.NAME.pi_serial</c>) is served from
/// <c>pi/NAME/</c>, any other from <c>pi/default/</c>. A reload that moves the root takes effect on the next request.
/// </summary>
public sealed class SiteTftpFiles(SiteState state) : ITftpFileProvider
{
    public const string PiDirectory = "pi";
    public const string PiDefaultDirectory = "pi/default";

    private static readonly ConditionalWeakTable<SiteInventory, ITftpFileProvider> Providers = new();

    public static string PiHostDirectory(string hostName) => $"{PiDirectory}/{hostName}";

    /// <summary>Where a profile's <c>{nfsroot}/PATH</c> files are, over TFTP: <c>nfsroot/PROFILE/MAC/PATH</c>.</summary>
    public const string NfsRootPrefix = "nfsroot/";

    public TftpOpenResult Open(string path, IPEndPoint client)
    {
        FaultHooks.WedgeIf("tftp-wedge");
        var site = state.Current;
        if (path.StartsWith(NfsRootPrefix, StringComparison.Ordinal)) return OpenInNfsRoot(site, path[NfsRootPrefix.Length..], client);
        return Providers.GetValue(site, Create).Open(path, client);
    }

    /// <summary>The same files, clients and refusals as over HTTP (<see cref="NfsRootFiles"/>); the server logs the detail.</summary>
    private static TftpOpenResult OpenInNfsRoot(SiteInventory site, string rest, IPEndPoint client)
    {
        var address = client.Address.IsIPv4MappedToIPv6 ? client.Address.MapToIPv4() : client.Address;
        Ipv4Address? v4 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? Ipv4Address.FromIPAddress(address) : null;
        return NfsRootFiles.Open(site, rest, v4, out var file, out var detail, out _) switch
        {
            NfsRootFileResult.Opened => TftpOpenResult.Success(NfsRootFiles.AsStream(file.Handle)),
            NfsRootFileResult.LeadsOut or NfsRootFileResult.NotThisClient => TftpOpenResult.AccessViolation(detail),
            _ => TftpOpenResult.NotFound(detail),
        };
    }

    private static ITftpFileProvider Create(SiteInventory site) =>
        new PiSerialFileProvider(new TftpRootFileProvider(site.Server.TftpRoot), new SerialMap(site), PiDefaultDirectory);

    private sealed class SerialMap(SiteInventory site) : IPiSerialMap
    {
        public string? GetHostDirectory(string serial) =>
            site.FindHostBySerial(serial) is { } host ? PiHostDirectory(host.Name) : null;
    }
}
