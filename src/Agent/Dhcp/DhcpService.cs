using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Events;
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
/// <remarks>
/// Nothing on a receive loop waits for logging or the disk: per-request lines (Debug) and the few Information lines
/// a request can cause go through <see cref="DhcpLogRelay"/>, boot events through
/// <see cref="BootEventLog.TryRecord"/>; both drop and count when full. At Information the server logs a summary
/// per interface every <see cref="SummaryInterval"/> and a known host's first boot of the day.
/// </remarks>
public sealed partial class DhcpService : BackgroundService, IDhcpTransportObserver, IDhcpBindings, IDhcpLeases
{
    public const string StatusPart = "dhcp";

    private static readonly TimeSpan Rescan = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan SummaryInterval = TimeSpan.FromSeconds(10);

    private readonly SiteState _state;
    private readonly INetworkInterfaces _interfaces;
    private readonly ServiceStatus _status;
    private readonly ILogger<DhcpService> _logger;
    private readonly TimeProvider _time;
    private readonly BootEventLog _events;
    private readonly DhcpLogRelay _log;
    private readonly DhcpActivity _activity = new();
    private readonly Dictionary<MacAddress, DateOnly> _lastBootDay = [];
    private readonly Lock _bootDayGate = new();
    // The last DORAs recorded (client, xid), under _bootDayGate: a client whose ACK is late sends its REQUEST again
    // with the same xid (RFC 2131 §4.1; iPXE after a quarter of a second), and each copy is ACKed, but it is one boot.
    private readonly (MacAddress Mac, uint Xid)[] _recentDoras = new (MacAddress, uint)[64];
    private int _recentDoraCount, _recentDoraNext;
    private DateTimeOffset _lastSummary;

    public DhcpService(SiteState state, INetworkInterfaces interfaces, ServiceStatus status, BootEventLog events, ILogger<DhcpService> logger, TimeProvider time)
    {
        _state = state;
        _interfaces = interfaces;
        _status = status;
        _logger = logger;
        _time = time;
        _events = events;
        _log = new DhcpLogRelay(Write, _activity.LogLineDropped);
        _lastSummary = _time.GetUtcNow();
    }

    /// <summary>What the server did since it started (for the status API).</summary>
    public DhcpActivity Activity => _activity;

    private readonly Dictionary<string, (DhcpUdpTransport Transport, Listen Listen)> _running = new(StringComparer.Ordinal);
    private LoopProgress[] _loops = [];

    /// <summary>The receive loops running now, for the health checks (a snapshot taken after each reconcile).</summary>
    public IReadOnlyList<LoopProgress> Loops => Volatile.Read(ref _loops);
    private readonly Dictionary<string, RouterAdvertiser> _advertisers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reportedMissing = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _changed = new(0);
    private LeaseStore? _store;
    private DhcpEngine? _engine;

    public MacAddress? BoundTo(Ipv4Address address) => Volatile.Read(ref _engine)?.BoundTo(address);

    public IReadOnlyList<DhcpLease> Snapshot() => Volatile.Read(ref _engine)?.SnapshotLeases() ?? [];

    public event Action? Changed;

    /// <summary>
    /// Opens the lease store and listens on every served interface that exists before it returns, so that the
    /// agent's READY=1 means DHCP is answering; interfaces still missing are in the status line until they appear.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var directory = _state.Current.Server.StateDirectory;
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
        var engine = new DhcpEngine(new SiteDhcpPolicies(_state), _store, _time, _store.Recovered);
        engine.BindingsChanged += () => Changed?.Invoke();
        Volatile.Write(ref _engine, engine);
        // The recovered leases: their names resolve again after a restart.
        Changed?.Invoke();
        _state.Changed += OnSiteChanged;
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
                    var now = _time.GetUtcNow();
                    if (now - _lastSummary >= SummaryInterval) Summarize(now);
                    var untilSummary = SummaryInterval - (now - _lastSummary);
                    await _changed.WaitAsync(untilSummary < Rescan ? untilSummary : Rescan, stoppingToken).ConfigureAwait(false);
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
            _state.Changed -= OnSiteChanged;
            foreach (var (_, (t, _)) in _running) await t.DisposeAsync().ConfigureAwait(false);
            _running.Clear();
            foreach (var (_, a) in _advertisers) await a.DisposeAsync().ConfigureAwait(false);
            _advertisers.Clear();
            _store?.Dispose();
            _log.Dispose();
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
        var wanted = WantedInterfaces(_state.Current).ToDictionary(kv => kv.Key, kv => new Listen(kv.Value.Proxy, kv.Value.Served), StringComparer.Ordinal);

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
        Volatile.Write(ref _loops, [.. _running.Values.SelectMany(r => r.Transport.Loops)]);
        // READY=1 means serving: what DHCP does not serve yet is in the status line until it does.
        var waiting = wanted.Keys.Where(n => !_running.ContainsKey(n)).Order(StringComparer.Ordinal).ToList();
        _status.Set(StatusPart, waiting.Count == 0 ? null
            : $"DHCP not yet on {string.Join(", ", waiting)} (missing, or not open: see the log)");
    }

    /// <summary>
    /// Router advertisements that say "no IPv6 here" end the IPv6 autoconfiguration wait of booting firmware
    /// (iPXE waits many seconds otherwise). Best effort: DHCP works without them, only slower boots.
    /// </summary>
    private void StartAdvertiser(string name)
    {
        if (_interfaces.Find(name) is not { Mac: { } mac } nic)
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

    private bool InterfaceExists(string name) => _interfaces.Find(name) is not null;

    /// <summary>Queues the summary of the interval that ended at <paramref name="now"/> (written by the log thread).</summary>
    private void Summarize(DateTimeOffset now)
    {
        var seconds = (long)Math.Round((now - _lastSummary).TotalSeconds);
        _lastSummary = now;
        var (lines, logLines, events) = _activity.TakeSummary(_running.Values.SelectMany(r => r.Transport.Shed()));
        foreach (var (name, text) in lines) _log.Post(new DhcpLogEntry(DhcpLogKind.Summary, name, Text: text, Count: seconds));
        if (logLines > 0 || events > 0) _log.Post(new DhcpLogEntry(DhcpLogKind.Dropped, "", Count: logLines, Count2: events));
    }

    void IDhcpTransportObserver.OnRejected(string interfaceName, IPEndPoint source, DhcpParseError error)
    {
        if (_logger.IsEnabled(LogLevel.Debug)) _log.Post(new DhcpLogEntry(DhcpLogKind.Rejected, interfaceName, ParseError: error, Source: source));
    }

    /// <summary>
    /// A client chose another server's offer on a network the box serves (alerts listen). Raised on a receive loop:
    /// handlers must return at once.
    /// </summary>
    public event Action<OtherDhcpServer>? OtherServerSelected;

    void IDhcpTransportObserver.OnHandled(string interfaceName, DhcpMessage request, in DhcpEngineResult result)
    {
        _activity.Count(interfaceName, result);
        var mac = request.ClientMac;
        if (result.Disposition == DhcpDisposition.OtherServerSelected && OtherServerSelected is { } seen
            && request.Options.TryGetAddress(DhcpOptionCode.ServerIdentifier, out var other))
            seen(new OtherDhcpServer(interfaceName, result.NetworkName, other, mac));
        var requestType = request.MessageType;
        // A completed DORA: the ACK to a REQUEST in SELECTING state (RFC 2131 §4.3.2: it names the server, option 54).
        if (result is { Disposition: DhcpDisposition.Reply, ReplyType: DhcpMessageType.Ack } && requestType == DhcpMessageType.Request
            && request.Options.TryGetAddress(DhcpOptionCode.ServerIdentifier, out _))
            Booted(interfaceName, mac, request.TransactionId, result);
        if (!_logger.IsEnabled(LogLevel.Debug)) return;
        _log.Post(result.Disposition == DhcpDisposition.Reply
            ? new DhcpLogEntry(DhcpLogKind.Replied, interfaceName, result.NetworkName, mac, requestType, result.ReplyType, result.Address)
            : new DhcpLogEntry(DhcpLogKind.NotAnswered, interfaceName, result.NetworkName, mac, requestType, Address: result.Address, Disposition: result.Disposition));
    }

    /// <summary>
    /// A boot event for every DORA (a retransmitted REQUEST of one is the same DORA), and a line for a known host's
    /// first one today; neither ever waits.
    /// </summary>
    private void Booted(string interfaceName, MacAddress mac, uint xid, in DhcpEngineResult result)
    {
        if (!FirstAck(mac, xid)) return;
        var host = _state.Current.FindHost(mac);
        var now = _time.GetUtcNow();
        if (!_events.TryRecord(new BootEvent(now, result.Address.ToString(), host?.Name ?? mac.ToString(), BootEventKind.Dhcp,
                result.NetworkName ?? "-", 0, 0)))
            _activity.EventDropped();
        if (host is null) return;
        var today = DateOnly.FromDateTime(_time.GetLocalNow().DateTime);
        lock (_bootDayGate)
        {
            if (_lastBootDay.TryGetValue(mac, out var day) && day == today) return;
            _lastBootDay[mac] = today;
        }
        _log.Post(new DhcpLogEntry(DhcpLogKind.FirstBootToday, interfaceName, result.NetworkName, mac, Address: result.Address));
    }

    /// <summary>Whether this is the first ACK of the client's transaction <paramref name="xid"/> among the recent ones.</summary>
    private bool FirstAck(MacAddress mac, uint xid)
    {
        lock (_bootDayGate)
        {
            for (var i = 0; i < _recentDoraCount; i++)
                if (_recentDoras[i] == (mac, xid)) return false;
            _recentDoras[_recentDoraNext] = (mac, xid);
            _recentDoraNext = (_recentDoraNext + 1) % _recentDoras.Length;
            _recentDoraCount = Math.Min(_recentDoraCount + 1, _recentDoras.Length);
            return true;
        }
    }

    void IDhcpTransportObserver.OnSendFailed(string interfaceName, in DhcpEngineResult result, Exception error) =>
        _log.Post(new DhcpLogEntry(DhcpLogKind.SendFailed, interfaceName, result.NetworkName, result.Route.ClientMac,
            ReplyType: result.ReplyType, Address: result.Address, Text: error.Message));

    void IDhcpTransportObserver.OnClientUnicastUnavailable(string interfaceName, string reason) =>
        _log.Post(new DhcpLogEntry(DhcpLogKind.UnicastUnavailable, interfaceName, Text: reason));

    void IDhcpTransportObserver.OnReceiveFailed(string interfaceName, int port, Exception error)
    {
        _log.Post(new DhcpLogEntry(DhcpLogKind.ReceiveFailed, interfaceName, Text: error.Message, Count: port));
        _changed.Release(); // the reconcile loop reopens it
    }
}
