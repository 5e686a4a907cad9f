using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Os;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Os.Network;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Dhcp.Server;
using NetbootPi.Protocols.Dhcp.Transport;
using NetbootPi.Protocols.Ndp;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Dhcp;

/// <summary>
/// The agent's DHCP server: one engine and lease store, one transport per served interface. Interfaces that do
/// not exist yet (a VLAN that networkd has still to create) are picked up when they appear, and a reload that
/// adds or drops a DHCP network opens or closes its sockets.
/// </summary>
public sealed partial class DhcpService(SiteState state, INetworkInterfaces interfaces, ServiceStatus status, ILogger<DhcpService> logger, TimeProvider time)
    : BackgroundService, IDhcpTransportObserver, IDhcpBindings
{
    public const string StatusPart = "dhcp";

    private static readonly TimeSpan Rescan = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, (DhcpUdpTransport Transport, Listen Listen)> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RouterAdvertiser> _advertisers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reportedMissing = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _changed = new(0);
    private LeaseStore? _store;
    private DhcpEngine? _engine;

    public MacAddress? BoundTo(Ipv4Address address) => Volatile.Read(ref _engine)?.BoundTo(address);

    /// <summary>
    /// Opens the lease store and listens on every served interface that exists before it returns, so that the
    /// agent's READY=1 means DHCP is answering; interfaces still missing are in the status line until they appear.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var directory = state.Current.Server.StateDirectory;
        try
        {
            Directory.CreateDirectory(directory);
            _store = LeaseStore.Open(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ServiceStartException(
                $"the DHCP server cannot keep its leases in {FileErrors.Describe(e, directory)} (server.state_dir must be a directory the agent can write)", e);
        }
        var recovery = _store.Recovery;
        if (recovery.DroppedTornRecord || recovery.CorruptSnapshotRecords > 0) LogLeasesRecoveredWithLoss(directory, recovery.ToString());
        else LogLeasesRecovered(directory, recovery.ToString());
        Volatile.Write(ref _engine, new DhcpEngine(new SiteDhcpPolicies(state), _store, time, _store.Recovered));
        state.Changed += OnSiteChanged;
        await ReconcileAsync().ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await _changed.WaitAsync(Rescan, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                await ReconcileAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            state.Changed -= OnSiteChanged;
            foreach (var (_, (t, _)) in _running) await t.DisposeAsync().ConfigureAwait(false);
            _running.Clear();
            foreach (var (_, a) in _advertisers) await a.DisposeAsync().ConfigureAwait(false);
            _advertisers.Clear();
            _store?.Dispose();
        }
    }

    private void OnSiteChanged(SiteInventory site) => _changed.Release();

    /// <summary>How the service listens on one interface.</summary>
    /// <param name="Proxy">Also on port 4011 (a proxy-mode network is on it).</param>
    /// <param name="Served">A DHCP-serving network is on it (else only relays are heard there).</param>
    private readonly record struct Listen(bool Proxy, bool Served);

    /// <summary>
    /// The interfaces to listen on: those of DHCP-serving networks, and when the site has relayed networks the
    /// interfaces of all its other networks too, since a relay may forward to the box's address on any of them.
    /// The engine answers only relayed requests on an interface whose own network does not serve DHCP.
    /// </summary>
    internal static Dictionary<string, (bool Proxy, bool Served)> WantedInterfaces(SiteInventory site)
    {
        var relayed = site.Networks.Any(n => n.IsRelayed && n.Dhcp.Mode != DhcpMode.Off);
        return site.Networks
            .Where(n => n.Interface is not null && (relayed || n.Dhcp.Mode != DhcpMode.Off))
            .GroupBy(n => n.Interface!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key,
                g => (g.Any(n => n.Dhcp.Mode == DhcpMode.Proxy), g.Any(n => n.Dhcp.Mode != DhcpMode.Off)),
                StringComparer.Ordinal);
    }

    /// <summary>Opens sockets for served interfaces that exist, closes those no longer served.</summary>
    private async Task ReconcileAsync()
    {
        var wanted = WantedInterfaces(state.Current).ToDictionary(kv => kv.Key, kv => new Listen(kv.Value.Proxy, kv.Value.Served), StringComparer.Ordinal);

        foreach (var name in _running.Keys.ToList())
        {
            if (wanted.TryGetValue(name, out var listen) && listen == _running[name].Listen && InterfaceExists(name)) continue;
            await _running[name].Transport.DisposeAsync().ConfigureAwait(false);
            _running.Remove(name);
            if (_advertisers.Remove(name, out var advertiser)) await advertiser.DisposeAsync().ConfigureAwait(false);
            LogStopped(name);
        }
        foreach (var (name, listen) in wanted)
        {
            if (_running.ContainsKey(name)) continue;
            if (!InterfaceExists(name))
            {
                if (_reportedMissing.Add(name)) LogInterfaceMissing(name, (int)Rescan.TotalSeconds);
                continue;
            }
            _reportedMissing.Remove(name);
            var transport = new DhcpUdpTransport(_engine!, _store!,
                new DhcpTransportOptions { Interfaces = [name], ListenProxyPort = listen.Proxy }, this);
            try
            {
                transport.Start();
            }
            catch (System.Net.Sockets.SocketException e)
            {
                await transport.DisposeAsync().ConfigureAwait(false);
                LogBindFailed(name, System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(e.NativeErrorCode));
                continue;
            }
            _running[name] = (transport, listen);
            LogListening(name, listen.Proxy ? "67 and 4011 (proxy)" : listen.Served ? "67" : "67 (relayed requests only)");
            // "No IPv6 router here" is for booting clients on served networks, never for another network's link.
            if (listen.Served) StartAdvertiser(name);
        }
        _reportedMissing.IntersectWith(wanted.Keys);
        // READY=1 means serving: what DHCP does not serve yet is in the status line until it does.
        var waiting = wanted.Keys.Where(n => !_running.ContainsKey(n)).Order(StringComparer.Ordinal).ToList();
        status.Set(StatusPart, waiting.Count == 0 ? null
            : $"DHCP not yet on {string.Join(", ", waiting)} (missing, or not open: see the log)");
    }

    /// <summary>
    /// Router advertisements that say "no IPv6 here" end the IPv6 autoconfiguration wait of booting firmware
    /// (iPXE waits many seconds otherwise). Best effort: DHCP works without them, only slower boots.
    /// </summary>
    private void StartAdvertiser(string name)
    {
        if (interfaces.Find(name) is not { Mac: { } mac } nic)
        {
            LogNoAdvertiser(name, "it has no hardware address");
            return;
        }
        try
        {
            var advertiser = new RouterAdvertiser(name, nic.Index, mac);
            advertiser.Start();
            _advertisers[name] = advertiser;
        }
        catch (System.Net.Sockets.SocketException e)
        {
            LogNoAdvertiser(name, e.Message);
        }
    }

    private bool InterfaceExists(string name) => interfaces.Find(name) is not null;

    void IDhcpTransportObserver.OnRejected(string interfaceName, IPEndPoint source, DhcpParseError error) =>
        LogRejected(interfaceName, source, error);

    void IDhcpTransportObserver.OnHandled(string interfaceName, in DhcpEngineResult result)
    {
        if (result.Disposition == DhcpDisposition.Reply)
            LogReplied(result.ReplyType, result.Address, interfaceName, result.NetworkName ?? "-");
        else
            LogNoReply(result.Disposition, interfaceName, result.NetworkName ?? "-");
    }

    void IDhcpTransportObserver.OnSendFailed(string interfaceName, in DhcpEngineResult result, Exception error) =>
        LogSendFailed(result.ReplyType, result.Address, interfaceName, error.Message);

    void IDhcpTransportObserver.OnClientUnicastUnavailable(string interfaceName, string reason) =>
        LogClientUnicastUnavailable(interfaceName, reason);

    void IDhcpTransportObserver.OnReceiveFailed(string interfaceName, int port, Exception error)
    {
        LogReceiveFailed(interfaceName, port, error.Message);
        _changed.Release(); // the reconcile loop reopens it
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "DHCP lease store {Directory}: {Report}")]
    private partial void LogLeasesRecovered(string directory, string report);

    [LoggerMessage(EventId = 311, Level = LogLevel.Warning, Message = "DHCP lease store {Directory}: {Report}")]
    private partial void LogLeasesRecoveredWithLoss(string directory, string report);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "DHCP server listening on {Interface}, port {Ports}")]
    private partial void LogListening(string @interface, string ports);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "DHCP: interface {Interface} does not exist (yet); checking again every {Seconds}s")]
    private partial void LogInterfaceMissing(string @interface, int seconds);

    [LoggerMessage(EventId = 303, Level = LogLevel.Error, Message = "DHCP: cannot listen on {Interface}: {Error} (another DHCP server running? netbootpi needs root or CAP_NET_BIND_SERVICE and CAP_NET_RAW)")]
    private partial void LogBindFailed(string @interface, string error);

    [LoggerMessage(EventId = 304, Level = LogLevel.Information, Message = "DHCP server stopped on {Interface}")]
    private partial void LogStopped(string @interface);

    [LoggerMessage(EventId = 305, Level = LogLevel.Debug, Message = "DHCP: rejected a datagram on {Interface} from {Source}: {Error}")]
    private partial void LogRejected(string @interface, IPEndPoint source, DhcpParseError error);

    [LoggerMessage(EventId = 306, Level = LogLevel.Information, Message = "DHCP {Type} {Address} on {Interface} ({Network})")]
    private partial void LogReplied(DhcpMessageType type, NetbootPi.Protocols.Net.Ipv4Address address, string @interface, string network);

    [LoggerMessage(EventId = 307, Level = LogLevel.Debug, Message = "DHCP: no reply ({Disposition}) on {Interface} ({Network})")]
    private partial void LogNoReply(DhcpDisposition disposition, string @interface, string network);

    [LoggerMessage(EventId = 308, Level = LogLevel.Warning, Message = "DHCP: {Type} {Address} on {Interface} not sent: {Error}")]
    private partial void LogSendFailed(DhcpMessageType type, NetbootPi.Protocols.Net.Ipv4Address address, string @interface, string error);

    [LoggerMessage(EventId = 309, Level = LogLevel.Error, Message = "DHCP: receiving on {Interface} port {Port} failed: {Error}")]
    private partial void LogReceiveFailed(string @interface, int port, string error);

    [LoggerMessage(EventId = 312, Level = LogLevel.Warning, Message = "no IPv6 router advertisements on {Interface} ({Error}): PXE clients there wait longer for IPv6 before booting")]
    private partial void LogNoAdvertiser(string @interface, string error);

    [LoggerMessage(EventId = 313, Level = LogLevel.Warning, Message = "DHCP on {Interface}: cannot add ARP entries ({Reason}); replies to clients without an address are broadcast instead of unicast (netbootpi needs CAP_NET_ADMIN)")]
    private partial void LogClientUnicastUnavailable(string @interface, string reason);
}
