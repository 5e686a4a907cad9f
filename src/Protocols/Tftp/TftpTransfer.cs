using System.Buffers;

namespace NetbootPi.Protocols.Tftp;

/// <summary>
/// The sending side of one read transfer as a state machine without I/O of its own: packets and timer ticks go
/// in, packets come out through an <see cref="ITftpPacketSink"/>. Time comes from the injected
/// <see cref="TimeProvider"/>, so a test can drive it over a lossy in-memory link with a fake clock.
/// Not thread-safe: one caller at a time (the transport runs one loop per transfer).
/// </summary>
/// <remarks>
/// Reads ahead as tftp-hpa does: once a window is sent, the block after it is read into a second buffer while
/// the client is still receiving, so that the ACK is answered with a send alone. In lock-step the file read
/// would otherwise sit on the round trip of every block (at 64 KiB blocks, a tenth of it).
/// </remarks>
internal sealed class TftpTransfer : IDisposable
{
    private readonly TftpTransferParameters _parameters;
    private readonly Stream _stream;
    private readonly TftpBlockReader _reader;
    private readonly ITftpPacketSink _sink;
    private readonly TimeProvider _time;
    private byte[]? _buffer;
    private byte[]? _ahead;
    private long _aheadBlock = -1;
    private int _aheadLength;
    private bool _waitingForOptionAck;
    private long _lastAcked;
    private long _highestSent;
    private long _finalBlock = -1;
    private DateTimeOffset _deadline = DateTimeOffset.MaxValue;
    private int _retries;

    public TftpTransfer(TftpTransferParameters parameters, Stream stream, ITftpPacketSink sink, TimeProvider time)
    {
        _parameters = parameters;
        _stream = stream;
        _sink = sink;
        _time = time;
        _reader = new TftpBlockReader(stream, parameters.Mode, parameters.BlockSize, parameters.WindowSize);
        var size = Math.Max(parameters.BlockSize + TftpPacket.DataHeaderLength, 516);
        _buffer = ArrayPool<byte>.Shared.Rent(size);
        _ahead = ArrayPool<byte>.Shared.Rent(size);
    }

    public TftpTransferOutcome Outcome { get; private set; }

    /// <summary>The client's ERROR when <see cref="Outcome"/> is <see cref="TftpTransferOutcome.ClientError"/>.</summary>
    public (TftpErrorCode Code, string Message) ClientError { get; private set; }

    /// <summary>Blocks the client has acknowledged, counted without wrapping.</summary>
    public long BlocksAcknowledged => _lastAcked;

    /// <summary>DATA packets sent, retransmissions included.</summary>
    public long DataPacketsSent { get; private set; }

    /// <summary>When <see cref="OnTimer"/> should next be called; <see cref="DateTimeOffset.MaxValue"/> once ended.</summary>
    public DateTimeOffset Deadline => Outcome == TftpTransferOutcome.InProgress ? _deadline : DateTimeOffset.MaxValue;

    /// <summary>Sends the OACK, or the first window when no option was granted (RFC 2347).</summary>
    public void Start()
    {
        if (_parameters.OptionAck.Count > 0)
        {
            _waitingForOptionAck = true;
            SendOptionAck();
        }
        else
        {
            SendWindow(1);
        }
    }

    /// <summary>Handles a datagram from the client; returns why it was ignored, or None.</summary>
    public TftpRejectReason Receive(ReadOnlySpan<byte> packet)
    {
        if (Outcome != TftpTransferOutcome.InProgress) return TftpRejectReason.UnexpectedOpcode;
        var reason = TftpPacket.TryReadOpcode(packet, out var opcode);
        if (reason != TftpRejectReason.None) return reason;
        switch (opcode)
        {
            case TftpOpcode.Ack:
                reason = TftpPacket.TryParseAck(packet, out var block);
                if (reason == TftpRejectReason.None) OnAck(block);
                return reason;
            case TftpOpcode.Error:
                // RFC 1350 section 7: an ERROR ends the transfer. A garbled one still does: the client has given up.
                reason = TftpPacket.TryParseError(packet, out var code, out var message);
                ClientError = reason == TftpRejectReason.None ? (code, message) : (TftpErrorCode.NotDefined, "(malformed ERROR)");
                End(TftpTransferOutcome.ClientError);
                return reason;
            default:
                return TftpRejectReason.UnexpectedOpcode;
        }
    }

    /// <summary>Retransmits if the deadline has passed; gives up after the allowed retries. Early calls do nothing.</summary>
    public void OnTimer()
    {
        if (Outcome != TftpTransferOutcome.InProgress || _time.GetUtcNow() < _deadline) return;
        if (++_retries > _parameters.MaxRetries)
        {
            End(TftpTransferOutcome.TimedOut);
            return;
        }
        if (_waitingForOptionAck) SendOptionAck();
        // RFC 7440 section 4: on timeout the sender goes back to the first block after the last acknowledged one.
        else SendWindow(_lastAcked + 1);
    }

    /// <summary>Ends the transfer from outside (server shutdown), telling the client.</summary>
    public void Cancel(string message)
    {
        if (Outcome != TftpTransferOutcome.InProgress) return;
        SendError(TftpErrorCode.NotDefined, message);
        End(TftpTransferOutcome.Cancelled);
    }

    private void OnAck(ushort block)
    {
        if (_waitingForOptionAck)
        {
            // RFC 2347: the client answers the OACK with ACK 0. A client that ignored the OACK and acknowledged
            // block 0 anyway is served the same way.
            if (block != 0) return;
            _waitingForOptionAck = false;
            _retries = 0;
            SendWindow(1);
            return;
        }
        // Block numbers wrap at 65536; the window is far smaller, so the distance from the last acknowledged block
        // says which absolute block is meant.
        var ahead = (ushort)(block - (ushort)_lastAcked);
        // RFC 1123 section 4.2.3.1 (Sorcerer's Apprentice): a duplicate ACK never causes a retransmission; only the
        // timer does. An ACK beyond anything sent is stale or bogus and is ignored the same way.
        if (ahead == 0 || _lastAcked + ahead > _highestSent) return;
        _lastAcked += ahead;
        _retries = 0;
        if (_lastAcked == _finalBlock)
        {
            End(TftpTransferOutcome.Completed);
            return;
        }
        // RFC 7440 section 4: an ACK for block n starts the next window at n + 1, even when n is inside the window.
        SendWindow(_lastAcked + 1);
    }

    private void SendWindow(long first)
    {
        var buffer = _buffer!;
        for (var block = first; block < first + _parameters.WindowSize; block++)
        {
            if (_finalBlock >= 0 && block > _finalBlock) break;
            int length;
            if (block == _aheadBlock)
            {
                (_buffer, _ahead) = (_ahead, _buffer);
                buffer = _buffer!;
                length = _aheadLength;
                _aheadBlock = -1;
            }
            else
            {
                try
                {
                    length = _reader.Read(block, buffer.AsSpan(TftpPacket.DataHeaderLength));
                }
                catch (IOException)
                {
                    SendError(TftpErrorCode.NotDefined, "Read error on server");
                    End(TftpTransferOutcome.ReadFailed);
                    return;
                }
            }
            TftpPacket.WriteDataHeader(buffer, (ushort)block);
            _sink.Send(buffer.AsSpan(0, TftpPacket.DataHeaderLength + length));
            DataPacketsSent++;
            if (block > _highestSent) _highestSent = block;
            if (length < _parameters.BlockSize) _finalBlock = block;
        }
        _deadline = _time.GetUtcNow() + _parameters.Timeout;
        ReadAhead();
    }

    /// <summary>
    /// Reads the block after the newest one sent into the second buffer, unless it is there already or the last
    /// block has been sent. The block reader keeps one block more than the window reachable for this.
    /// </summary>
    private void ReadAhead()
    {
        var next = _highestSent + 1;
        if (_finalBlock >= 0 || _aheadBlock == next) return;
        try
        {
            _aheadLength = _reader.Read(next, _ahead.AsSpan(TftpPacket.DataHeaderLength));
            _aheadBlock = next;
        }
        catch (IOException)
        {
            // Reported when the block is really needed: the read is tried again then, and fails the transfer.
            _aheadBlock = -1;
        }
    }

    private void SendOptionAck()
    {
        var length = TftpPacket.WriteOptionAck(_buffer, _parameters.OptionAck);
        _sink.Send(_buffer.AsSpan(0, length));
        _deadline = _time.GetUtcNow() + _parameters.Timeout;
        ReadAhead();
    }

    private void SendError(TftpErrorCode code, string message)
    {
        var length = TftpPacket.WriteError(_buffer.AsSpan(0, 516), code, message);
        _sink.Send(_buffer.AsSpan(0, length));
    }

    private void End(TftpTransferOutcome outcome)
    {
        Outcome = outcome;
        _deadline = DateTimeOffset.MaxValue;
    }

    public void Dispose()
    {
        if (Outcome == TftpTransferOutcome.InProgress) End(TftpTransferOutcome.Cancelled);
        _reader.Dispose();
        _stream.Dispose();
        if (_buffer is not null) ArrayPool<byte>.Shared.Return(_buffer);
        if (_ahead is not null) ArrayPool<byte>.Shared.Return(_ahead);
        _buffer = _ahead = null;
    }
}
