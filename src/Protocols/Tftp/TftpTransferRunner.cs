using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace NetbootPi.Protocols.Tftp;

/// <summary>
/// Drives one <see cref="TftpTransfer"/> over its own UDP socket: waits for a packet or the transfer's deadline,
/// whichever comes first, and answers packets from any other port with ERROR 5 (RFC 1350 section 4).
/// Owns the socket, the stream and the transfer, and frees them when the transfer ends, however it ends.
/// </summary>
internal sealed class TftpTransferRunner : ITftpPacketSink
{
    private const int ReceiveBufferSize = 1024;

    private readonly Socket _socket;
    private readonly SocketAddress _peer;
    private readonly string _file;
    private readonly TftpTransfer _transfer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private CancellationTokenSource _timeout;
    private bool _stopping;
    private bool _armed;

    public TftpTransferRunner(Socket socket, IPEndPoint client, string file, TftpTransferParameters parameters, Stream stream,
        TimeProvider time, ILogger logger)
    {
        _socket = socket;
        Client = client;
        _peer = client.Serialize();
        _file = file;
        _time = time;
        _logger = logger;
        _timeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _transfer = new TftpTransfer(parameters, stream, this, time);
    }

    public IPEndPoint Client { get; }

    public Task Task { get; set; } = Task.CompletedTask;

    public async Task RunAsync(CancellationToken stop)
    {
        var started = _time.GetTimestamp();
        var buffer = new byte[ReceiveBufferSize];
        var from = new SocketAddress(AddressFamily.InterNetwork);
        using var stopRegistration = stop.Register(static state => ((TftpTransferRunner)state!).OnStop(), this);
        try
        {
            _transfer.Start();
            while (_transfer.Outcome == TftpTransferOutcome.InProgress)
            {
                var wait = _transfer.Deadline - _time.GetUtcNow();
                if (wait <= TimeSpan.Zero)
                {
                    _transfer.OnTimer();
                    continue;
                }
                int received;
                try
                {
                    // A packet already waiting is read without the async machinery: in lock-step transfers the
                    // latency of each ACK is the throughput, and a thread-pool hop per ACK is most of it.
                    if (_socket.Available > 0 && !Volatile.Read(ref _stopping))
                    {
                        received = _socket.ReceiveFrom(buffer, SocketFlags.None, from);
                    }
                    else
                    {
                        CancellationToken token;
                        lock (_gate)
                        {
                            if (_stopping)
                            {
                                _transfer.Cancel("Server shutting down");
                                break;
                            }
                            // Deadlines only move later, so a timer armed for an earlier one at worst wakes the
                            // loop early, which re-arms it; re-arming per packet would cost two timer updates each.
                            if (!_armed)
                            {
                                if (!_timeout.TryReset())
                                {
                                    _timeout.Dispose();
                                    _timeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
                                }
                                _timeout.CancelAfter(wait);
                                _armed = true;
                            }
                            token = _timeout.Token;
                        }
                        received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, from, token).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException)
                {
                    lock (_gate) _armed = false;
                    continue;
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
            lock (_gate)
            {
                _stopping = true;
                _timeout.Dispose();
            }
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

    private void OnStop()
    {
        lock (_gate)
        {
            if (_stopping) return;
            _stopping = true;
            _timeout.Cancel();
        }
    }
}
