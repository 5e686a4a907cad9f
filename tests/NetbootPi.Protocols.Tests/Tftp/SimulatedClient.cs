using System.Buffers.Binary;
using NetbootPi.Protocols.Tftp;

namespace NetbootPi.Protocols.Tests.Tftp;

/// <summary>
/// The receiving side of a read transfer as RFC 1350 and RFC 7440 describe it: acknowledges every
/// <c>windowSize</c> in-order blocks, acknowledges the last in-order block when a block is missing or repeated,
/// re-sends its last ACK when nothing arrives for a while, and keeps answering after the last block (dallying).
/// </summary>
internal sealed class SimulatedClient(int blockSize, int windowSize, bool expectOptionAck, TimeProvider time, TimeSpan timeout)
{
    private readonly MemoryStream _received = new();
    private long _expected = 1;
    private int _inWindow;
    private bool _started = !expectOptionAck;
    private ushort _lastAck;

    public bool Finished { get; private set; }
    public bool SawBlockZero { get; private set; }
    public int OptionAcks { get; private set; }
    public int AcksSent { get; private set; }
    public DateTimeOffset Deadline { get; private set; } = DateTimeOffset.MaxValue;
    public byte[] Received => _received.ToArray();

    /// <summary>Handles a packet from the server; returns the ACK to send back, if any.</summary>
    public byte[]? Receive(ReadOnlySpan<byte> packet)
    {
        Assert.Equal(TftpRejectReason.None, TftpPacket.TryReadOpcode(packet, out var opcode));
        if (opcode == TftpOpcode.OptionAck)
        {
            OptionAcks++;
            // A late duplicate OACK after data started is ignored, as real clients do.
            return _started ? null : Ack(0);
        }
        Assert.Equal(TftpOpcode.Data, opcode);
        _started = true;
        var wire = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        if (wire == 0) SawBlockZero = true;
        var payload = packet[4..];
        Assert.True(payload.Length <= blockSize, $"block of {payload.Length} bytes exceeds blksize {blockSize}");
        var distance = (ushort)(wire - (ushort)_expected);
        if (distance != 0 || Finished)
        {
            // Out of order, repeated, or after the end: RFC 7440 section 4 says acknowledge the last good block.
            _inWindow = 0;
            return Ack((ushort)(_expected - 1));
        }
        _received.Write(payload);
        _expected++;
        if (payload.Length < blockSize)
        {
            Finished = true;
            return Ack(wire);
        }
        if (++_inWindow == windowSize)
        {
            _inWindow = 0;
            return Ack(wire);
        }
        Deadline = time.GetUtcNow() + timeout;
        return null;
    }

    /// <summary>Re-sends the last ACK when the server has been silent for the timeout.</summary>
    public byte[]? OnTimer()
    {
        if (time.GetUtcNow() < Deadline) return null;
        return Ack(_lastAck);
    }

    private byte[] Ack(ushort block)
    {
        _lastAck = block;
        AcksSent++;
        Deadline = time.GetUtcNow() + timeout;
        var ack = new byte[4];
        TftpPacket.WriteAck(ack, block);
        return ack;
    }
}
