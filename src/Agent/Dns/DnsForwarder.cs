using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using NetbootPi.Protocols.Dns;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Dns;

/// <summary>
/// Asks the site's upstream resolvers for names outside the site. Each query goes out from a socket of its own
/// (the kernel picks a random source port) with a random id, and only a response from that upstream, with that id
/// and the same question, is taken: what an off-path spoofer has to guess (RFC 5452 §9). UDP first, TCP when the
/// response is truncated; an upstream that does not answer in time, refuses or fails is skipped for the next, and
/// the one that answered is asked first next time.
/// </summary>
public sealed partial class DnsForwarder(TimeProvider time, ILogger logger)
{
    public const int UpstreamPort = 53;

    /// <summary>How long one upstream has to answer over UDP before the next is asked.</summary>
    public TimeSpan UdpTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a TCP exchange with one upstream may take (connect, send, receive).</summary>
    public TimeSpan TcpTimeout { get; init; } = TimeSpan.FromSeconds(4);

    private int _preferred;

    /// <summary>The first usable answer of <paramref name="upstreams"/> to <paramref name="q"/>, or null when none gave one.</summary>
    public async Task<UpstreamAnswer?> ResolveAsync(IReadOnlyList<Ipv4Address> upstreams, DnsClientQuestion q, CancellationToken cancellation)
    {
        if (upstreams.Count == 0) return null;
        var first = Volatile.Read(ref _preferred) % upstreams.Count;
        for (var n = 0; n < upstreams.Count; n++)
        {
            var i = (first + n) % upstreams.Count;
            var upstream = new IPEndPoint(upstreams[i].ToIPAddress(), UpstreamPort);
            var (answer, problem) = await AskAsync(upstream, q, cancellation).ConfigureAwait(false);
            if (answer is not null)
            {
                Volatile.Write(ref _preferred, i);
                return answer;
            }
            LogUpstreamFailed(upstream, q.Name, q.Type, problem);
        }
        return null;
    }

    private async Task<(UpstreamAnswer? Answer, string Problem)> AskAsync(IPEndPoint upstream, DnsClientQuestion q, CancellationToken cancellation)
    {
        var id = (ushort)RandomNumberGenerator.GetInt32(0x10000);
        // A question and an OPT record: at most 12 + 259 + 11 bytes.
        var writer = new DnsMessageWriter(DnsQuery.ClassicUdpSize);
        writer.Begin(id, DnsHeader.RecursionDesiredFlag, DnsQuery.ClassicUdpSize);
        writer.TryWriteQuestion(q.Name, q.Type, q.Class);
        writer.TryWriteOpt(DnsAnswerer.MaxUdpPayload, DnsResponseCode.NoError, q.DnssecOk);
        var query = writer.WrittenMemory;
        var scan = new DnsResponseScan();
        // Upstreams are told the box takes 1232 bytes over UDP; a larger datagram is cut short and fails the scan.
        var buffer = new byte[DnsAnswerer.MaxUdpPayload];
        try
        {
            var length = await UdpAsync(upstream, query, buffer, id, q, scan, cancellation).ConfigureAwait(false);
            if (length < 0) return (null, $"no answer within {UdpTimeout.TotalSeconds:0.#}s");
            if (scan.Header.IsTruncated)
            {
                buffer = new byte[DnsMessageWriter.MaxMessageSize];
                length = await TcpAsync(upstream, query, buffer, id, q, scan, cancellation).ConfigureAwait(false);
                if (length < 0) return (null, "truncated over UDP and no usable answer over TCP");
            }
            // Its own failure is no answer: the next upstream may do better (a REFUSED one may not recurse for us).
            if (scan.Header.ResponseCode is DnsResponseCode.ServerFailure or DnsResponseCode.Refused or DnsResponseCode.NotImplemented or DnsResponseCode.FormatError)
                return (null, $"answered {scan.Header.ResponseCode}");
            return (new UpstreamAnswer(buffer.AsSpan(0, length), scan), "");
        }
        catch (SocketException e)
        {
            return (null, e.SocketErrorCode == SocketError.ConnectionRefused ? "nothing listens there (port unreachable)" : e.Message);
        }
    }

    private async Task<int> UdpAsync(IPEndPoint upstream, ReadOnlyMemory<byte> query, byte[] buffer, ushort id, DnsClientQuestion q,
        DnsResponseScan scan, CancellationToken cancellation)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        // Connected: the kernel drops datagrams from anyone but the upstream, and reports its port-unreachable.
        await socket.ConnectAsync(upstream, cancellation).ConfigureAwait(false);
        await socket.SendAsync(query, SocketFlags.None, cancellation).ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(UdpTimeout, time);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellation);
        while (true)
        {
            int length;
            try
            {
                length = await socket.ReceiveAsync(buffer, SocketFlags.None, both.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                return -1;
            }
            if (Matches(buffer.AsSpan(0, length), id, q, scan)) return length;
        }
    }

    private async Task<int> TcpAsync(IPEndPoint upstream, ReadOnlyMemory<byte> query, byte[] buffer, ushort id, DnsClientQuestion q,
        DnsResponseScan scan, CancellationToken cancellation)
    {
        using var timeout = new CancellationTokenSource(TcpTimeout, time);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellation);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(upstream, both.Token).ConfigureAwait(false);
            var framed = new byte[query.Length + 2];
            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
            query.CopyTo(framed.AsMemory(2));
            await socket.SendAsync(framed, SocketFlags.None, both.Token).ConfigureAwait(false);
            if (!await ReadExactlyAsync(socket, buffer.AsMemory(0, 2), both.Token).ConfigureAwait(false)) return -1;
            var length = BinaryPrimitives.ReadUInt16BigEndian(buffer);
            if (!await ReadExactlyAsync(socket, buffer.AsMemory(0, length), both.Token).ConfigureAwait(false)) return -1;
            return Matches(buffer.AsSpan(0, length), id, q, scan) && !scan.Header.IsTruncated ? length : -1;
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return -1;
        }
    }

    internal static async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellation)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, cancellation).ConfigureAwait(false);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }

    /// <summary>A well-formed response to exactly this query: same id, same question (name, type and class).</summary>
    private static bool Matches(ReadOnlySpan<byte> message, ushort id, DnsClientQuestion q, DnsResponseScan scan) =>
        scan.Scan(message) == DnsParseError.None && scan.Header.Id == id
        && DnsName.Equal(scan.Name, q.Name) && scan.Type == q.Type && scan.Class == q.Class;

    [LoggerMessage(EventId = 810, Level = LogLevel.Debug, Message = "DNS upstream {Upstream} gave no answer to {Name} {Type}: {Problem}")]
    private partial void LogUpstreamFailed(IPEndPoint upstream, string name, DnsRecordType type, string problem);

    private readonly ILogger _logger = logger;
}
