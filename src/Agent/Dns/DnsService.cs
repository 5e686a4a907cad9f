using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Dhcp;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Dns;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Dns;

/// <summary>
/// The box's DNS server: UDP and TCP on port 53 of its addresses on the networks <see cref="DnsListenPlan"/> picks
/// (only while the site has a <c>dns:</c> section), authoritative for the site's zones, forwarding the rest to the
/// site's upstreams through a cache. A reload rebuilds the zones at once and opens or closes listeners to match.
/// </summary>
/// <remarks>
/// Sockets bind with IP_FREEBIND, so an address that networkd has still to configure does not stop the service:
/// queries arrive once the address is up. A bind that fails all the same (the port is taken) is logged and put in
/// the status line; the service keeps the rest and tries again on the next reload.
/// </remarks>
public sealed partial class DnsService : BackgroundService
{
    public const string StatusPart = "dns";

    // At most this many forwarded queries and TCP connections in flight: past it the box answers SERVFAIL or closes,
    // instead of letting a flood of distinct names take all its memory.
    private const int MaxForwarding = 256;
    private const int MaxTcpConnections = 64;
    private static readonly TimeSpan TcpIdle = TimeSpan.FromSeconds(10);

    private readonly SiteState _state;
    private readonly DnsServiceOptions _options;
    private readonly ServiceStatus _status;
    private readonly ILogger<DnsService> _logger;
    private readonly TimeProvider _time;
    private readonly DnsCache _cache;
    private readonly DnsForwarder _forwarder;
    private readonly Dictionary<IPEndPoint, Listener> _listeners = [];
    private LoopProgress[] _loops = [];
    private readonly SemaphoreSlim _changed = new(0);
    private readonly IDhcpLeases? _leases;
    private readonly SemaphoreSlim _leasesChanged = new(0, 1);
    private readonly Lock _zoneGate = new();
    private readonly HashSet<(string Label, Ipv4Address Address)> _published = [];
    private readonly HashSet<(string Label, MacAddress Mac)> _reported = [];
    private SiteZone _zone = SiteZone.Empty;
    private IReadOnlyList<Ipv4Address> _upstreams = [];
    private int _forwarding;
    private int _tcpConnections;
    private CancellationToken _stopping;

    /// <param name="leases">The DHCP server's leases, whose pooled clients' names the zone carries; null without DHCP.</param>
    public DnsService(SiteState state, DnsServiceOptions options, ServiceStatus status, ILogger<DnsService> logger, TimeProvider time,
        IDhcpLeases? leases = null)
    {
        _leases = leases;
        _state = state;
        _options = options;
        _status = status;
        _logger = logger;
        _time = time;
        _cache = new DnsCache(time);
        _forwarder = new DnsForwarder(time, logger);
    }

    /// <summary>The zones being served now (a reload swaps them).</summary>
    public SiteZone Zone => Volatile.Read(ref _zone);

    public DnsCache Cache => _cache;

    private sealed record Listener(Socket Udp, Socket Tcp, CancellationTokenSource Stop, LoopProgress Progress);

    /// <summary>The UDP receive loops, one per address it listens on, for the health checks the watchdog pets under.</summary>
    public IReadOnlyList<LoopProgress> Loops => Volatile.Read(ref _loops);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        Take(_state.Current);
        Reconcile(_state.Current);
        _state.Changed += OnSiteChanged;
        if (_leases is not null) _leases.Changed += OnLeasesChanged;
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        var pooled = _leases is null ? Task.CompletedTask : Task.Run(() => FollowLeasesAsync(stoppingToken), CancellationToken.None);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await _changed.WaitAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                Reconcile(_state.Current);
            }
        }
        finally
        {
            _state.Changed -= OnSiteChanged;
            if (_leases is not null) _leases.Changed -= OnLeasesChanged;
            await pooled.ConfigureAwait(false);
            foreach (var endpoint in _listeners.Keys.ToList()) Close(endpoint);
        }
    }

    private void OnLeasesChanged()
    {
        // At most one wake-up pending: a burst of bindings is one rebuild (the rebuild reads every lease anyway).
        try
        {
            _leasesChanged.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }

    /// <summary>
    /// Rebuilds the zones when DHCP binds, releases or declines an address, and when the first named lease ends
    /// (a renewal does not wake it: at that end the lease is read again and found renewed).
    /// </summary>
    private async Task FollowLeasesAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var nextEnd = Zone.Pooled.NextEnd;
            try
            {
                if (nextEnd is { } end)
                {
                    var wait = end - _time.GetUtcNow();
                    using var ended = new CancellationTokenSource(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, _time);
                    using var either = CancellationTokenSource.CreateLinkedTokenSource(ended.Token, stop);
                    try
                    {
                        await _leasesChanged.WaitAsync(either.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                    {
                        // The lease ended (or was renewed): choose the names again.
                    }
                }
                else await _leasesChanged.WaitAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            Take(_state.Current, siteChanged: false);
        }
    }

    private void OnSiteChanged(SiteInventory site)
    {
        // The zones change at once, on the reloading thread: a new host resolves as soon as the reload returns.
        Take(site);
        _changed.Release();
    }

    private void Take(SiteInventory site, bool siteChanged = true)
    {
        lock (_zoneGate)
        {
            // The newest site whoever calls: a lease change and a reload racing both end with the reload's site.
            if (!siteChanged) site = _state.Current;
            var leases = site.Dns is null || _leases is null ? [] : _leases.Snapshot();
            var zone = SiteZone.Build(site, leases, _time.GetUtcNow());
            Volatile.Write(ref _zone, zone);
            Report(zone);
            if (!siteChanged) return;
            var upstreams = site.Dns is null ? [] : site.Site.UpstreamDns;
            if (!upstreams.SequenceEqual(Volatile.Read(ref _upstreams))) _cache.Clear();
            Volatile.Write(ref _upstreams, upstreams);
            if (site.Dns is not null) LogZones(zone.Origins.Count(), zone.Records.Count(), upstreams.Length);
        }
    }

    /// <summary>
    /// Logs the pooled names that came and went (Debug), and a refused name once while it stays refused, so that a
    /// client renewing every few minutes with a name the site has does not fill the journal.
    /// </summary>
    private void Report(SiteZone zone)
    {
        var domain = zone.ServerName is { } server ? server[(server.IndexOf('.') + 1)..] : "";
        var now = zone.Pooled.Published.Select(p => (p.Label, p.Address)).ToHashSet();
        foreach (var p in zone.Pooled.Published.Where(p => !_published.Contains((p.Label, p.Address))))
            LogPooledName($"{p.Label}.{domain}", p.Address, p.Mac);
        foreach (var (label, address) in _published.Where(k => !now.Contains(k)))
            LogPooledNameGone($"{label}.{domain}", address);
        _published.Clear();
        _published.UnionWith(now);

        var refused = zone.Pooled.Refused.Select(r => (r.Label, r.Mac)).ToHashSet();
        foreach (var r in zone.Pooled.Refused.Where(r => !_reported.Contains((r.Label, r.Mac))))
        {
            if (r.Taken) LogPooledNameTaken(r.Label, r.Mac, r.Address, $"{r.Label}.{domain}", r.Reason);
            else LogPooledNameHeld(r.Label, r.Mac, r.Address, r.Reason);
        }
        _reported.Clear();
        _reported.UnionWith(refused);
    }

    private void Reconcile(SiteInventory site)
    {
        var wanted = site.Dns is null ? []
            : _options.Listen is { } only ? [only]
            : DnsListenPlan.For(site).Select(l => new IPEndPoint(l.Address.ToIPAddress(), 53)).ToList();
        foreach (var endpoint in _listeners.Keys.Where(e => !wanted.Contains(e)).ToList()) Close(endpoint);
        var failed = new List<string>();
        foreach (var endpoint in wanted.Where(e => !_listeners.ContainsKey(e)))
        {
            if (Open(endpoint) is { } problem) failed.Add($"{endpoint}: {problem}");
        }
        _status.Set(StatusPart, failed.Count == 0 ? null : $"DNS not listening on {string.Join("; ", failed)}");
    }

    private string? Open(IPEndPoint endpoint)
    {
        Socket? udp = null, tcp = null;
        try
        {
            udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            FreeBind.Allow(udp);
            udp.Bind(endpoint);
            tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            FreeBind.Allow(tcp);
            tcp.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            tcp.Bind(endpoint);
            tcp.Listen(64);
        }
        catch (SocketException e)
        {
            udp?.Dispose();
            tcp?.Dispose();
            LogCannotListen(endpoint, e.Message);
            return e.SocketErrorCode == SocketError.AddressAlreadyInUse ? "port in use by another DNS server" : e.Message;
        }
        var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        var progress = new LoopProgress($"DNS on {endpoint}");
        _listeners[endpoint] = new Listener(udp, tcp, stop, progress);
        Volatile.Write(ref _loops, [.. _listeners.Values.Select(l => l.Progress)]);
        _ = Task.Run(() => UdpLoopAsync(udp, endpoint, progress, stop.Token));
        _ = Task.Run(() => TcpAcceptLoopAsync(tcp, endpoint, stop.Token));
        LogListening(endpoint);
        return null;
    }

    private void Close(IPEndPoint endpoint)
    {
        if (!_listeners.Remove(endpoint, out var l)) return;
        Volatile.Write(ref _loops, [.. _listeners.Values.Select(x => x.Progress)]);
        l.Stop.Cancel();
        l.Udp.Dispose();
        l.Tcp.Dispose();
        l.Stop.Dispose();
        LogStopped(endpoint);
    }

    private async Task UdpLoopAsync(Socket socket, IPEndPoint endpoint, LoopProgress progress, CancellationToken stop)
    {
        try
        {
            await UdpReceiveAsync(socket, endpoint, progress, stop).ConfigureAwait(false);
        }
        finally
        {
            progress.End(null);
        }
    }

    private async Task UdpReceiveAsync(Socket socket, IPEndPoint endpoint, LoopProgress progress, CancellationToken stop)
    {
        var buffer = new byte[DnsMessageWriter.MaxMessageSize];
        var query = new DnsQuery();
        var writer = new DnsMessageWriter();
        var reply = new byte[DnsMessageWriter.MaxMessageSize];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // ConnectionReset: an ICMP error for an earlier reply. Anything else concerns one datagram, not the socket.
                if (e.SocketErrorCode != SocketError.ConnectionReset) LogReceiveFailed(endpoint, e.Message);
                continue;
            }
            var client = (IPEndPoint)received.RemoteEndPoint;
            // Busy until this datagram is answered (or handed to the forwarder): a query that hangs the loop shows.
            progress.Busy();
            try
            {
                var parse = query.Parse(buffer.AsSpan(0, received.ReceivedBytes));
                var limit = DnsAnswerer.Limit(query, tcp: false);
                var zone = Zone;
                var upstreams = Volatile.Read(ref _upstreams);
                var disposition = DnsAnswerer.Answer(query, parse, zone, upstreams.Count > 0, writer, limit);
                Trace(client, query, parse, disposition, writer);
                if (disposition == DnsDisposition.Answered)
                    await socket.SendToAsync(writer.WrittenMemory, SocketFlags.None, client, stop).ConfigureAwait(false);
                else if (disposition == DnsDisposition.Forward)
                {
                    var q = DnsClientQuestion.Of(query);
                    if (_cache.TryGet(q, out var cached, out var age))
                    {
                        var n = cached.WriteFor(q, age, reply, limit);
                        LogCached(client, q.Name, q.Type);
                        await socket.SendToAsync(reply.AsMemory(0, n), SocketFlags.None, client, stop).ConfigureAwait(false);
                    }
                    else if (Interlocked.Increment(ref _forwarding) > MaxForwarding)
                    {
                        Interlocked.Decrement(ref _forwarding);
                        await socket.SendToAsync(ServerFailure(q, writer), SocketFlags.None, client, stop).ConfigureAwait(false);
                    }
                    else _ = ForwardUdpAsync(socket, client, q, upstreams, limit, stop);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                LogSendFailed(client, e.Message);
            }
            finally
            {
                progress.Idle();
            }
        }
    }

    private async Task ForwardUdpAsync(Socket socket, IPEndPoint client, DnsClientQuestion q, IReadOnlyList<Ipv4Address> upstreams, int limit, CancellationToken stop)
    {
        try
        {
            var reply = await ResolveAsync(q, upstreams, limit, stop).ConfigureAwait(false);
            await socket.SendToAsync(reply, SocketFlags.None, client, stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
        }
        catch (SocketException e)
        {
            LogSendFailed(client, e.Message);
        }
        finally
        {
            Interlocked.Decrement(ref _forwarding);
        }
    }

    /// <summary>The response to a forwarded question: the upstream's answer (now cached), or SERVFAIL when none gave one.</summary>
    private async Task<ReadOnlyMemory<byte>> ResolveAsync(DnsClientQuestion q, IReadOnlyList<Ipv4Address> upstreams, int limit, CancellationToken stop)
    {
        var answer = await _forwarder.ResolveAsync(upstreams, q, stop).ConfigureAwait(false);
        if (answer is null)
        {
            LogNoUpstream(q.Name, q.Type, string.Join(", ", upstreams));
            return ServerFailure(q, new DnsMessageWriter(DnsQuery.ClassicUdpSize));
        }
        _cache.Store(q, answer);
        var reply = new byte[answer.Length];
        var n = answer.WriteFor(q, 0, reply, limit);
        return reply.AsMemory(0, n);
    }

    private static ReadOnlyMemory<byte> ServerFailure(DnsClientQuestion q, DnsMessageWriter writer)
    {
        writer.Begin(q.Id, DnsHeader.ResponseFlag | DnsHeader.RecursionDesiredFlag | DnsHeader.RecursionAvailableFlag | (int)DnsResponseCode.ServerFailure,
            DnsQuery.ClassicUdpSize);
        writer.TryWriteQuestion(q.Name, q.Type, q.Class);
        if (q.HasEdns) writer.TryWriteOpt(DnsAnswerer.MaxUdpPayload, DnsResponseCode.ServerFailure, q.DnssecOk);
        return writer.WrittenMemory.ToArray();
    }

    private async Task TcpAcceptLoopAsync(Socket listener, IPEndPoint endpoint, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            if (Interlocked.Increment(ref _tcpConnections) > MaxTcpConnections)
            {
                Interlocked.Decrement(ref _tcpConnections);
                connection.Dispose();
                continue;
            }
            _ = ServeTcpAsync(connection, stop);
        }
    }

    /// <summary>One TCP client: length-prefixed queries in turn (RFC 7766 §8) until it closes or is idle too long.</summary>
    private async Task ServeTcpAsync(Socket connection, CancellationToken stop)
    {
        var client = connection.RemoteEndPoint as IPEndPoint ?? new IPEndPoint(IPAddress.Any, 0);
        var buffer = new byte[DnsMessageWriter.MaxMessageSize];
        var query = new DnsQuery();
        var writer = new DnsMessageWriter();
        var prefix = new byte[2];
        try
        {
            while (true)
            {
                using var idle = new CancellationTokenSource(TcpIdle, _time);
                using var both = CancellationTokenSource.CreateLinkedTokenSource(idle.Token, stop);
                if (!await DnsForwarder.ReadExactlyAsync(connection, prefix, both.Token).ConfigureAwait(false)) return;
                var length = BinaryPrimitives.ReadUInt16BigEndian(prefix);
                if (!await DnsForwarder.ReadExactlyAsync(connection, buffer.AsMemory(0, length), both.Token).ConfigureAwait(false)) return;
                var parse = query.Parse(buffer.AsSpan(0, length));
                var upstreams = Volatile.Read(ref _upstreams);
                var disposition = DnsAnswerer.Answer(query, parse, Zone, upstreams.Count > 0, writer, DnsAnswerer.Limit(query, tcp: true));
                Trace(client, query, parse, disposition, writer);
                ReadOnlyMemory<byte> reply;
                if (disposition == DnsDisposition.Drop) return;
                if (disposition == DnsDisposition.Answered) reply = writer.WrittenMemory;
                else
                {
                    var q = DnsClientQuestion.Of(query);
                    if (_cache.TryGet(q, out var cached, out var age))
                    {
                        var bytes = new byte[cached.Length];
                        reply = bytes.AsMemory(0, cached.WriteFor(q, age, bytes, DnsMessageWriter.MaxMessageSize));
                        LogCached(client, q.Name, q.Type);
                    }
                    else reply = await ResolveAsync(q, upstreams, DnsMessageWriter.MaxMessageSize, stop).ConfigureAwait(false);
                }
                BinaryPrimitives.WriteUInt16BigEndian(prefix, (ushort)reply.Length);
                await connection.SendAsync(prefix, SocketFlags.None, stop).ConfigureAwait(false);
                await connection.SendAsync(reply, SocketFlags.None, stop).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // The client went away, stayed idle too long, or the listener closed.
        }
        finally
        {
            connection.Dispose();
            Interlocked.Decrement(ref _tcpConnections);
        }
    }

    private void Trace(IPEndPoint client, DnsQuery query, DnsParseError parse, DnsDisposition disposition, DnsMessageWriter writer)
    {
        if (!_logger.IsEnabled(LogLevel.Debug)) return;
        if (parse != DnsParseError.None) LogMalformed(client, parse, disposition == DnsDisposition.Drop ? "dropped" : "FORMERR");
        else if (disposition == DnsDisposition.Forward) LogQuery(client, DnsName.Display(query.Name), query.Type, "forwarded");
        else LogQuery(client, DnsName.Display(query.Name), query.Type,
            $"{writer.Header.ResponseCode}{(writer.Header.IsTruncated ? ", truncated" : "")}, {writer.Header.AnswerCount} answers");
    }
}
