using System.Net;
using System.Runtime.CompilerServices;
using NetbootPi.Agent.Health;
using NetbootPi.Agent.Site;
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

    public TftpOpenResult Open(string path, IPEndPoint client)
    {
        FaultHooks.WedgeIf("tftp-wedge");
        return Providers.GetValue(state.Current, Create).Open(path, client);
    }

    private static ITftpFileProvider Create(SiteInventory site) =>
        new PiSerialFileProvider(new TftpRootFileProvider(site.Server.TftpRoot), new SerialMap(site), PiDefaultDirectory);

    private sealed class SerialMap(SiteInventory site) : IPiSerialMap
    {
        public string? GetHostDirectory(string serial) =>
            site.FindHostBySerial(serial) is { } host ? PiHostDirectory(host.Name) : null;
    }
}
