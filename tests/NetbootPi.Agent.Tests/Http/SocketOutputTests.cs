using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Connections;
using NetbootPi.Agent.Http;

namespace NetbootPi.Agent.Tests.Http;

/// <summary>
/// <see cref="SocketOutput"/> over a real loopback TCP connection: bytes written, a file range by sendfile
/// and the bytes after it arrive in order; a file that ends early or a client that stops reading aborts
/// the connection instead of holding it.
/// </summary>
public sealed class SocketOutputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-sendfile-").FullName;
    private readonly Socket _server;
    private readonly Socket _client;
    private readonly FakeConnection _connection;
    private readonly FakeTimeProvider _time = new();

    public SocketOutputTests()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        _client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 64 * 1024 };
        _client.Connect(listener.LocalEndPoint!);
        _server = listener.Accept();
        _connection = new FakeConnection(_server);
    }

    [Fact]
    public async Task Written_bytes_the_file_range_and_later_bytes_arrive_in_order()
    {
        var content = RandomBytes(1_000_000, seed: 1);
        using var file = OpenFile(content);
        var output = new SocketOutput(_server, _connection, _time);
        var received = ReceiveAllAsync();

        await WriteAsync(output, "HTTP/1.1 200 OK\r\n\r\n");
        Assert.True(await output.SendFileAsync(file, 10, 600_000));
        // The body as Kestrel writes it after the file went out: counted, dropped.
        for (var left = 600_000; left > 0;)
        {
            var n = Math.Min(output.GetMemory().Length, left);
            output.GetMemory()[..n].Span.Fill((byte)'X');
            output.Advance(n);
            left -= n;
        }
        await WriteAsync(output, "next response");
        await output.CompleteAsync();
        await output.DisposeAsync();
        _server.Shutdown(SocketShutdown.Send);

        var expected = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\n\r\n").Concat(content.AsSpan(10, 600_000).ToArray())
            .Concat(Encoding.ASCII.GetBytes("next response")).ToArray();
        Assert.Equal(expected, await received.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.False(_connection.Aborted);
    }

    [Fact]
    public async Task A_file_shorter_than_promised_aborts_the_connection()
    {
        using var file = OpenFile(RandomBytes(100_000, seed: 2)); // truncated after its length went out
        var output = new SocketOutput(_server, _connection, _time);
        _ = ReceiveAllAsync();

        await WriteAsync(output, "HTTP/1.1 200 OK\r\nContent-Length: 300000\r\n\r\n");
        Assert.False(await output.SendFileAsync(file, 0, 300_000).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.True(_connection.Aborted);
        await output.DisposeAsync();
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_dropped_after_the_slice_timeout()
    {
        var path = Path.Combine(_dir, "large");
        using (var f = File.Create(path)) f.SetLength(64L * 1024 * 1024);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.Asynchronous);
        var output = new SocketOutput(_server, _connection, _time);
        // The client reads nothing: socket buffers fill and sendfile waits.
        var send = output.SendFileAsync(file, 0, file.Length);

        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.False(send.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(59));
        await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.False(_connection.Aborted);

        // The slice's timer may start after the first advance: keep moving time until it fires.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!send.IsCompleted && DateTime.UtcNow < deadline)
        {
            _time.Advance(TimeSpan.FromSeconds(61));
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
        Assert.False(await send.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.True(_connection.Aborted);
        await output.DisposeAsync();
    }

    [Fact]
    public async Task A_file_send_waiting_behind_bytes_the_client_does_not_read_is_dropped_after_the_timeout()
    {
        using var file = OpenFile(RandomBytes(1_000_000, seed: 3));
        var output = new SocketOutput(_server, _connection, _time);
        // The previous response: more than the socket buffers hold, and the client reads none of it.
        System.Buffers.BuffersExtensions.Write(output, new byte[8 * 1024 * 1024]);
        var flush = output.FlushAsync(TestContext.Current.CancellationToken); // stays pending: the pipe is over its limit
        var send = output.SendFileAsync(file, 0, 500_000);

        await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.False(send.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(_connection.Aborted);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(await send.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.True(_connection.Aborted);
        await flush;
        await output.DisposeAsync();
    }

    private static async Task WriteAsync(SocketOutput output, string text)
    {
        await output.WriteAsync(Encoding.ASCII.GetBytes(text));
        await output.FlushAsync();
    }

    private async Task<byte[]> ReceiveAllAsync()
    {
        using var all = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await _client.ReceiveAsync(buffer)) > 0) all.Write(buffer, 0, n);
        }
        catch (SocketException)
        {
            // reset by an abort: what arrived is the answer
        }
        return all.ToArray();
    }

    private FileStream OpenFile(byte[] content)
    {
        var path = Path.Combine(_dir, $"f{content.Length}");
        File.WriteAllBytes(path, content);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.Asynchronous);
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A connection that aborts as Kestrel's socket transport does: by closing the socket.</summary>
    private sealed class FakeConnection(Socket socket) : DefaultConnectionContext
    {
        private volatile bool _aborted;

        public bool Aborted => _aborted;

        public override void Abort(ConnectionAbortedException abortReason)
        {
            if (_aborted) return; // idempotent, as Kestrel's
            _aborted = true;
            try
            {
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
                // already gone
            }
            socket.Dispose();
        }
    }
}
