using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace NetbootPi.Protocols.Tftp;

/// <summary>
/// Drives one <see cref="TftpTransfer"/> over its own UDP socket on a thread of its own: blocks in recvfrom(2)
/// until a packet arrives or the transfer's deadline passes, and answers packets from any other port with
/// ERROR 5 (RFC 1350 section 4). Owns the socket, the stream and the transfer, and frees them when the transfer
/// ends, however it ends.
/// </summary>
/// <remarks>
/// In a lock-step transfer the latency of each ACK is the throughput. A thread blocked in the kernel is woken by
/// the ACK itself and answers it with one more system call (the send; the next block was read ahead). The socket
/// engine's way (a failed non-blocking read, epoll, a continuation, a cancellable timer per wait) cost more per
/// block than tftp-hpa's whole turnaround at 512 and 1468 byte blocks (bench/tftp.sh). The socket is never used
/// asynchronously, so it stays a plain blocking socket and the wait is SO_RCVTIMEO.
/// </remarks>
internal sealed class TftpTransferRunner : ITftpPacketSink
{
    private const int ReceiveBufferSize = 1024;

    /// <summary>
    /// The longest single wait: a stop request, or a deadline that an injected clock moved (tests), is seen
    /// within this much real time. A transfer waits this long only when its client is silent.
    /// </summary>
    private static readonly TimeSpan WaitSlice = TimeSpan.FromMilliseconds(50);

    private readonly Socket _socket;
    private readonly SocketAddress _peer;
    private readonly string _file;
    private readonly TftpTransfer _transfer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private volatile bool _stopping;
    private int _receiveTimeout = -1;

    public TftpTransferRunner(Socket socket, IPEndPoint client, string file, TftpTransferParameters parameters, Stream stream,
        TimeProvider time, ILogger logger)
    {
        _socket = socket;
        Client = client;
        _peer = client.Serialize();
        _file = file;
        _time = time;
        _logger = logger;
        _transfer = new TftpTransfer(parameters, stream, this, time);
    }

    public IPEndPoint Client { get; }

    public Task Task { get; set; } = Task.CompletedTask;

    /// <summary>Runs the transfer to its end on the calling thread.</summary>
    public void Run(CancellationToken stop)
    {
        var started = _time.GetTimestamp();
        var buffer = new byte[ReceiveBufferSize];
        var from = new SocketAddress(AddressFamily.InterNetwork);
        using var stopRegistration = stop.Register(static state => ((TftpTransferRunner)state!)._stopping = true, this);
        try
        {
            _transfer.Start();
            while (_transfer.Outcome == TftpTransferOutcome.InProgress)
            {
                if (_stopping)
                {
                    _transfer.Cancel("Server shutting down");
                    break;
                }
                var wait = _transfer.Deadline - _time.GetUtcNow();
                if (wait <= TimeSpan.Zero)
                {
                    _transfer.OnTimer();
                    continue;
                }
                int received;
                try
                {
                    // Whole milliseconds, rounded up: 0 would mean no timeout at all. Set only when it changes.
                    var slice = (int)Math.Ceiling((wait < WaitSlice ? wait : WaitSlice).TotalMilliseconds);
                    if (slice != _receiveTimeout) _socket.ReceiveTimeout = _receiveTimeout = slice;
                    received = _socket.ReceiveFrom(buffer, SocketFlags.None, from);
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
                {
                    continue; // the slice ended: look at the deadline and the stop flag again
                }
                catch (SocketException e)
                {
                    // Linux reports an earlier ICMP port unreachable here; the client is gone or will retry.
                    TftpLog.SocketError(_logger, e.SocketErrorCode);
                    continue;
                }
                OnDatagram(buffer.AsSpan(0, received), from);
            }
        }
        finally
        {
            _transfer.Dispose();
            _socket.Dispose();
        }
        var elapsed = _time.GetElapsedTime(started);
        if (_transfer.Outcome == TftpTransferOutcome.Completed)
        {
            TftpLog.TransferCompleted(_logger, _file, Client, _transfer.BlocksAcknowledged, (long)elapsed.TotalMilliseconds,
                _transfer.DataPacketsSent - _transfer.BlocksAcknowledged);
        }
        else
        {
            var detail = _transfer.Outcome == TftpTransferOutcome.ClientError
                ? $"(client sent ERROR {(int)_transfer.ClientError.Code}: {_transfer.ClientError.Message})"
                : "";
            TftpLog.TransferEnded(_logger, _file, Client, _transfer.BlocksAcknowledged, _transfer.Outcome, detail);
        }
    }

    private void OnDatagram(ReadOnlySpan<byte> packet, SocketAddress from)
    {
        if (!from.Equals(_peer))
        {
            // RFC 1350 section 4: a packet from a wrong TID gets ERROR 5 and the transfer carries on.
            var stranger = (IPEndPoint)Client.Create(from);
            TftpLog.WrongTransferId(_logger, stranger, _file, Client);
            // An ERROR is never answered (RFC 1350 section 7), so that two confused hosts cannot ping-pong.
            if (TftpPacket.TryReadOpcode(packet, out var opcode) == TftpRejectReason.None && opcode == TftpOpcode.Error) return;
            Span<byte> error = stackalloc byte[64];
            var length = TftpPacket.WriteError(error, TftpErrorCode.UnknownTransferId, "Unknown transfer ID");
            TrySend(error[..length], from);
            return;
        }
        var reason = _transfer.Receive(packet);
        if (reason != TftpRejectReason.None) TftpLog.PacketIgnored(_logger, Client, reason);
    }

    void ITftpPacketSink.Send(ReadOnlySpan<byte> packet) => TrySend(packet, _peer);

    private void TrySend(ReadOnlySpan<byte> packet, SocketAddress to)
    {
        try
        {
            _socket.SendTo(packet, SocketFlags.None, to);
        }
        catch (SocketException e)
        {
            // A failed send is a lost packet; the retransmission timer covers it.
            TftpLog.SocketError(_logger, e.SocketErrorCode);
        }
    }
}
