using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;

namespace NetbootPi.Agent.Tests.Support;

/// <summary>
/// A webhook receiver on 127.0.0.1 for the alert tests: a plain HTTP/1.1 server on a socket of its own (one request
/// per connection, answered with <c>Connection: close</c>) that keeps every request it gets and answers each with the
/// next status the test queued (200 once none is left).
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<int> _answers = new();
    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();
    private readonly Task _loop;

    public WebhookReceiver()
    {
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url(string path = "/hooks/netbootpi") => $"http://127.0.0.1:{Port}{path}";

    /// <summary>The next requests get these statuses, in order.</summary>
    public void Answer(params int[] statuses)
    {
        foreach (var s in statuses) _answers.Enqueue(s);
    }

    /// <summary>The next request received (waits for it, bounded: a safety net, not a timing).</summary>
    public async Task<Received> NextAsync(CancellationToken cancellation)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        return await _received.Reader.ReadAsync(limit.Token);
    }

    public bool TryNext(out Received received) => _received.Reader.TryRead(out received!);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException
                // Stopped between the loop's look at the token and the accept: "Not listening" (a race seen in CI).
                || (e is InvalidOperationException && _stop.IsCancellationRequested))
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var buffer = new List<byte>();
            var chunk = new byte[4096];
            int headerEnd;
            while ((headerEnd = IndexOf(buffer, "\r\n\r\n"u8)) < 0)
            {
                var n = await stream.ReadAsync(chunk, _stop.Token);
                if (n == 0) return;
                buffer.AddRange(chunk.AsSpan(0, n));
            }
            var head = Encoding.ASCII.GetString([.. buffer.Take(headerEnd)]).Split("\r\n");
            var parts = head[0].Split(' ');
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var line in head.Skip(1))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
            var length = headers.TryGetValue("Content-Length", out var l) ? int.Parse(l, System.Globalization.CultureInfo.InvariantCulture) : 0;
            while (buffer.Count < headerEnd + 4 + length)
            {
                var n = await stream.ReadAsync(chunk, _stop.Token);
                if (n == 0) return;
                buffer.AddRange(chunk.AsSpan(0, n));
            }
            var body = buffer.Skip(headerEnd + 4).Take(length).ToArray();
            var status = _answers.TryDequeue(out var s) ? s : 200;
            await _received.Writer.WriteAsync(new Received(parts[0], parts[1], headers, body, status));
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} {(status == 200 ? "OK" : "Test")}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
        }
    }

    private static int IndexOf(List<byte> data, ReadOnlySpan<byte> needle) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(data).IndexOf(needle);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    /// <summary>One request: method, path, headers, body, and the status it was answered with.</summary>
    internal sealed record Received(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, int Status)
    {
        /// <summary>
        /// Checks the request as a receiver should (docs/alerts.md): HMAC-SHA256 under <paramref name="secret"/> of the
        /// timestamp header, a dot and the body, against the signature header, in constant time.
        /// </summary>
        public bool SignedWith(string secret)
        {
            var stamp = Headers["X-NetbootPi-Timestamp"];
            byte[] signed = [.. Encoding.ASCII.GetBytes(stamp + "."), .. Body];
            var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
            var expected = Encoding.ASCII.GetBytes("sha256=" + Convert.ToHexStringLower(mac));
            return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(Headers["X-NetbootPi-Signature"]));
        }
    }
}
