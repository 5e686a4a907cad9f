using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace NetbootPi.Agent.Http;

/// <summary>
/// A connection's output, sent by us instead of Kestrel's socket transport, so that a file body can go from
/// the page cache to the socket with sendfile(2) between the bytes Kestrel writes (Kestrel itself copies
/// every body byte through its pipe). Installed as connection middleware in front of HTTP; the transport's
/// own send loop stays idle on its pipe and closes the socket when Kestrel disposes the connection.
/// <para>
/// Kestrel writes the status line and headers into this writer as usual; <see cref="SendFileAsync"/> then
/// sends everything written so far followed by the file range, and the body bytes Kestrel still expects to
/// see (it checks Content-Length) are written into a scratch buffer and dropped.
/// </para>
/// </summary>
internal sealed class SocketOutput : PipeWriter, IAsyncDisposable
{
    // What a connection may have written but not yet sent before its writer waits: Kestrel's own default
    // (KestrelServerLimits.MaxResponseBufferSize, 64 KiB), so backpressure behaves as without us.
    private const long PauseBytes = 64 * 1024;

    // Segments large enough that the headers and a small file usually travel in one.
    private const int SegmentBytes = 16 * 1024;

    // A file goes out in slices, each of which must finish within SliceTimeout or the connection is aborted:
    // a client that stops reading does not hold a connection forever (Kestrel's minimum data rate does not
    // see bytes it did not send). 2 MiB in 60 s is 34 KiB/s, well below any boot link.
    private const int SliceBytes = 2 * 1024 * 1024;
    private static readonly TimeSpan SliceTimeout = TimeSpan.FromSeconds(60);

    private static readonly byte[] Scratch = new byte[256 * 1024];

    private readonly Socket _socket;
    private readonly ConnectionContext _connection;
    private readonly TimeProvider _time;
    private readonly Pipe _pipe;
    private readonly SocketSendArgs _args = new();
    private readonly Task _pump;
    private readonly Lock _lock = new();

    /// <summary>File ranges this connection has sent by sendfile.</summary>
    public long FilesSent { get; private set; }

    private long _unflushed;   // advanced, not yet flushed
    private long _committed;   // flushed: visible to the pump
    private long _sent;        // sent by the pump
    private long _discard;     // bytes Kestrel will still write that the socket already got by sendfile
    private FileSend? _fileSend;
    private bool _failed;

    internal SocketOutput(Socket socket, ConnectionContext connection, TimeProvider time)
    {
        _socket = socket;
        _connection = connection;
        _time = time;
        _pipe = new Pipe(new PipeOptions(
            pool: MemoryPool<byte>.Shared,
            readerScheduler: PipeScheduler.Inline,
            writerScheduler: PipeScheduler.ThreadPool,
            pauseWriterThreshold: PauseBytes,
            resumeWriterThreshold: PauseBytes / 2,
            minimumSegmentSize: SegmentBytes,
            useSynchronizationContext: false));
        _pump = PumpAsync();
    }

    /// <summary>Puts the middleware in front of HTTP on <paramref name="listen"/>.</summary>
    public static void Use(ListenOptions listen, TimeProvider time)
    {
        // The file bytes go straight onto the socket, which only HTTP/1.x without TLS can take.
        listen.Protocols = HttpProtocols.Http1;
        listen.Use(next => connection => RunAsync(next, connection, time));
    }

    /// <summary>
    /// The output of the connection the request came on, when it is ours and the file bytes may go onto it
    /// as they are: HTTP/1.x, no TLS between (a TLS layer added after this middleware would be bypassed).
    /// </summary>
    public static SocketOutput? Of(HttpContext ctx) =>
        ctx.Features.Get<ITlsConnectionFeature>() is null && (HttpProtocol.IsHttp11(ctx.Request.Protocol) || HttpProtocol.IsHttp10(ctx.Request.Protocol))
            ? ctx.Features.Get<SocketOutput>()
            : null;

    private static async Task RunAsync(ConnectionDelegate next, ConnectionContext connection, TimeProvider time)
    {
        if (connection.Features.Get<IConnectionSocketFeature>()?.Socket is not { } socket)
        {
            await next(connection).ConfigureAwait(false);
            return;
        }
        var original = connection.Transport;
        var output = new SocketOutput(socket, connection, time);
        await using (output.ConfigureAwait(false))
        {
            connection.Transport = new DuplexPipe(original.Input, output);
            connection.Features.Set(output);
            try
            {
                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                connection.Features.Set<SocketOutput>(null);
                connection.Transport = original;
            }
        }
    }

    /// <summary>
    /// Sends what has been written and flushed so far, then <paramref name="count"/> bytes of the file from
    /// <paramref name="offset"/>; the caller then writes <paramref name="count"/> bytes through Kestrel, which
    /// this output drops. False when the connection failed meanwhile (the caller aborts).
    /// </summary>
    public Task<bool> SendFileAsync(FileStream file, long offset, long count)
    {
        if (_unflushed != 0) throw new InvalidOperationException("bytes written before a file send must be flushed first");
        FileSend send;
        lock (_lock)
        {
            if (_failed) return Task.FromResult(false);
            if (_fileSend is not null || _discard > 0) throw new InvalidOperationException("a file send is already in progress");
            // The clock starts now, not when the pump reaches the file: a client that stopped reading the
            // previous response must not hold the connection while the bytes before the file wait to go out.
            _fileSend = send = new FileSend(file, offset, count, _time, this);
            send.Position = _committed;
        }
        _pipe.Reader.CancelPendingRead(); // wakes the pump if it waits for bytes
        return send.Done.Task;
    }

    public override void Advance(int bytes)
    {
        if (_discard > 0)
        {
            if (bytes > _discard) throw new InvalidOperationException("more bytes written than the file send covered");
            _discard -= bytes;
            return;
        }
        _pipe.Writer.Advance(bytes);
        _unflushed += bytes;
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) =>
        _discard > 0 && sizeHint <= Scratch.Length ? Scratch.AsMemory(0, (int)Math.Min(Scratch.Length, _discard)) : _pipe.Writer.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock) _committed += _unflushed;
        _unflushed = 0;
        return _pipe.Writer.FlushAsync(cancellationToken);
    }

    public override void CancelPendingFlush() => _pipe.Writer.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => _pipe.Writer.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => _pipe.Writer.CompleteAsync(exception);

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _unflushed;

    public async ValueTask DisposeAsync()
    {
        await _pipe.Writer.CompleteAsync().ConfigureAwait(false);
        await _pump.ConfigureAwait(false);
        _args.Dispose();
    }

    private async Task PumpAsync()
    {
        await Task.Yield(); // the constructor returns before the first read
        var reader = _pipe.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                if (!buffer.IsEmpty) await _args.SendAsync(_socket, buffer).ConfigureAwait(false);
                _sent += buffer.Length;
                reader.AdvanceTo(buffer.End);
                FileSend? send;
                lock (_lock) send = _fileSend is { } pending && pending.Position == _sent ? pending : null;
                if (send is not null) await SendFileAsync(send).ConfigureAwait(false);
                if (result.IsCompleted) break;
            }
            await reader.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) // whatever ends the pump ends the connection, and must release a waiting file send
        {
            Fail(new ConnectionAbortedException("sending failed: " + ex.Message, ex));
        }
        finally
        {
            // Also when the writer was completed: no file send may wait for a pump that is gone.
            Release(TakeFileSend(failed: true), sent: false);
        }
    }

    private async Task SendFileAsync(FileSend send)
    {
        var (offset, left) = (send.Offset, send.Count);
        // Corked, as nginx's tcp_nopush does around sendfile: only full segments leave until the end. Without
        // it each sendfile call ends in a partial segment pushed at once, and a 256 MiB download took a fifth
        // more CPU and time than nginx's (bench/http.sh on 2026-12-02).
        Cork(true);
        while (left > 0)
        {
            var slice = (int)Math.Min(left, SliceBytes);
            send.Deadline.CancelAfter(SliceTimeout);
            // A file now shorter than the range fails in the runtime's length check (ArgumentOutOfRange, as a
            // socket error); one that shrinks during a slice ends it short and fails the next check.
            var sent = await _args.SendFileAsync(_socket, send.File, offset, slice).ConfigureAwait(false);
            if (sent <= 0) throw new IOException($"the file ended {left} bytes early");
            offset += sent;
            left -= sent;
        }
        Cork(false); // pushes the last partial segment; a failed send leaves the socket to be closed anyway
        lock (_lock)
        {
            _discard = send.Count;
            FilesSent++;
        }
        Release(TakeFileSend(failed: false), sent: true);
    }

    private FileSend? TakeFileSend(bool failed)
    {
        lock (_lock)
        {
            if (failed) _failed = true;
            var send = _fileSend;
            _fileSend = null;
            return send;
        }
    }

    private static void Release(FileSend? send, bool sent)
    {
        if (send is null) return;
        send.Dispose();
        send.Done.TrySetResult(sent);
    }

    // tcp(7): TCP_CORK, level IPPROTO_TCP.
    private const int IpProtoTcp = 6;
    private const int TcpCork = 3;

    private void Cork(bool on)
    {
        Span<byte> value = stackalloc byte[sizeof(int)];
        MemoryMarshal.Write(value, on ? 1 : 0); // an int in the machine's byte order
        _socket.SetRawSocketOption(IpProtoTcp, TcpCork, value);
    }

    private void Fail(ConnectionAbortedException reason)
    {
        var send = TakeFileSend(failed: true);
        // Aborted before the waiting handler hears of it. Completed without an error: Kestrel's writes then see
        // a completed pipe, as with its own transport.
        _pipe.Reader.Complete();
        _connection.Abort(reason);
        Release(send, sent: false);
    }

    /// <summary>One file range on its way, with the clock that drops a client that stops reading it.</summary>
    private sealed class FileSend : IDisposable
    {
        private readonly CancellationTokenRegistration _abort;

        public FileSend(FileStream file, long offset, long count, TimeProvider time, SocketOutput owner)
        {
            (File, Offset, Count) = (file, offset, count);
            Deadline = new CancellationTokenSource(SliceTimeout, time);
            _abort = Deadline.Token.Register(static state =>
                ((SocketOutput)state!)._connection.Abort(new ConnectionAbortedException("the client stopped reading a file")), owner);
        }

        public FileStream File { get; }
        public long Offset { get; }
        public long Count { get; }
        public long Position { get; set; }
        public CancellationTokenSource Deadline { get; }
        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Dispose()
        {
            _abort.Dispose();
            Deadline.Dispose();
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }
}
