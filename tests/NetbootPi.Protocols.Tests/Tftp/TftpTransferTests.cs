using System.Buffers.Binary;
using NetbootPi.Protocols.Tftp;

namespace NetbootPi.Protocols.Tests.Tftp;

public class TftpTransferTests
{
    private static byte[] Content(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static TftpTransferParameters Parameters(int blockSize, int windowSize, bool optionAck, int maxRetries = 5,
        TftpTransferMode mode = TftpTransferMode.Octet) => new()
    {
        Mode = mode,
        BlockSize = blockSize,
        WindowSize = windowSize,
        Timeout = TimeSpan.FromSeconds(1),
        MaxRetries = maxRetries,
        OptionAck = optionAck ? [new("blksize", blockSize.ToString()), new("windowsize", windowSize.ToString())] : [],
    };

    public static TheoryData<int, int, int, bool> LossyCases => new()
    {
        // windowsize, blksize, file length, OACK
        { 1, 512, 0, false },
        { 1, 512, 511, false },
        { 1, 512, 512, false },
        { 1, 512, 513, true },
        { 1, 512, 200_000, false },
        { 1, 1468, 300_000, true },
        { 16, 512, 0, true },
        { 16, 512, 512 * 16, true },
        { 16, 512, 512 * 16 + 1, true },
        { 16, 1468, 300_000, true },
        { 16, 8, 20_000, true },
    };

    [Theory]
    [MemberData(nameof(LossyCases))]
    public void DeliversExactBytesOverALossyLink(int windowSize, int blockSize, int length, bool optionAck)
    {
        foreach (var seed in new[] { 1, 2, 3 })
        {
            var content = Content(length, seed);
            var link = new LossySimulation(seed, drop: 0.1, duplicate: 0.05, reorder: 0.1);
            var client = new SimulatedClient(blockSize, windowSize, optionAck, link.Time, TimeSpan.FromSeconds(3));
            using var transfer = new TftpTransfer(Parameters(blockSize, windowSize, optionAck, maxRetries: 20),
                new MemoryStream(content), link, link.Time);

            link.Run(transfer, client, MaxPackets(length, blockSize));

            Assert.True(link.Dropped > 0 || length < 5000, "the link dropped nothing; the test would prove nothing");
            Assert.Equal(TftpTransferOutcome.Completed, transfer.Outcome);
            Assert.True(client.Finished);
            Assert.Equal(content, client.Received);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    public void RollsBlockNumbersOverPast65535(int windowSize)
    {
        // 70,000 blocks of 8 bytes plus a short one: the block number passes 65535 and wraps to 0.
        var content = Content(8 * 70_000 + 3, 7);
        var link = new LossySimulation(7, drop: 0.01, duplicate: 0.01, reorder: 0.01);
        var client = new SimulatedClient(8, windowSize, expectOptionAck: true, link.Time, TimeSpan.FromSeconds(3));
        using var transfer = new TftpTransfer(Parameters(8, windowSize, optionAck: true, maxRetries: 20),
            new MemoryStream(content), link, link.Time);

        link.Run(transfer, client, MaxPackets(content.Length, 8));

        Assert.Equal(TftpTransferOutcome.Completed, transfer.Outcome);
        Assert.True(client.SawBlockZero, "block 65536 must go out as block 0");
        Assert.Equal(70_001, transfer.BlocksAcknowledged);
        Assert.Equal(content, client.Received);
    }

    [Fact]
    public void ConvertsNetasciiOnTheFlyAcrossBlockBoundaries()
    {
        // CR and LF land on every position relative to the 8-byte blocks, including the last byte of a block,
        // where the pair is split and its second byte opens the next block.
        var source = "ab\ncd\r\n\r\r\nefghij\n\nklmnopq\rx\n"u8.ToArray();
        var expected = "ab\r\ncd\r\0\r\n\r\0\r\0\r\nefghij\r\n\r\nklmnopq\r\0x\r\n"u8.ToArray();
        foreach (var windowSize in new[] { 1, 3 })
        {
            var link = new LossySimulation(11, drop: 0.2, duplicate: 0.1, reorder: 0.1);
            var client = new SimulatedClient(8, windowSize, expectOptionAck: false, link.Time, TimeSpan.FromSeconds(3));
            using var transfer = new TftpTransfer(Parameters(8, windowSize, optionAck: false, maxRetries: 50, TftpTransferMode.NetAscii),
                new MemoryStream(source), link, link.Time);

            link.Run(transfer, client, MaxPackets(expected.Length, 8));

            Assert.Equal(TftpTransferOutcome.Completed, transfer.Outcome);
            Assert.Equal(expected, client.Received);
        }
    }

    [Fact]
    public void DuplicateAckNeverTriggersAResend()
    {
        // RFC 1123 section 4.2.3.1: block 1 times out and is resent, both copies arrive and are acknowledged;
        // the second ACK 1 must not send block 2 again.
        var link = new LossySimulation(0, 0, 0, 0) { RecordServerPackets = true };
        using var transfer = new TftpTransfer(Parameters(512, 1, optionAck: false), new MemoryStream(Content(2000, 1)), link, link.Time);
        transfer.Start();
        link.Time.Advance(TimeSpan.FromSeconds(1));
        transfer.OnTimer();
        Assert.Equal([1, 1], Blocks(link.ServerPackets));

        Assert.Equal(TftpRejectReason.None, transfer.Receive(Ack(1)));
        Assert.Equal(TftpRejectReason.None, transfer.Receive(Ack(1)));
        Assert.Equal([1, 1, 2], Blocks(link.ServerPackets));

        Assert.Equal(TftpRejectReason.None, transfer.Receive(Ack(2)));
        Assert.Equal(TftpRejectReason.None, transfer.Receive(Ack(2)));
        Assert.Equal(TftpRejectReason.None, transfer.Receive(Ack(1)));   // stale
        Assert.Equal(TftpRejectReason.None, transfer.Receive(Ack(9)));   // never sent
        Assert.Equal([1, 1, 2, 3], Blocks(link.ServerPackets));
        Assert.Equal(TftpTransferOutcome.InProgress, transfer.Outcome);
    }

    [Fact]
    public void WindowRestartsAfterTheAcknowledgedBlock()
    {
        // RFC 7440 section 4: ACK 3 inside the window 1..4 starts the next window at 4; a timeout resends from
        // the block after the last acknowledged one.
        var link = new LossySimulation(0, 0, 0, 0) { RecordServerPackets = true };
        using var transfer = new TftpTransfer(Parameters(512, 4, optionAck: false), new MemoryStream(Content(512 * 10, 2)), link, link.Time);
        transfer.Start();
        Assert.Equal([1, 2, 3, 4], Blocks(link.ServerPackets));
        transfer.Receive(Ack(3));
        Assert.Equal([1, 2, 3, 4, 4, 5, 6, 7], Blocks(link.ServerPackets));
        link.Time.Advance(TimeSpan.FromSeconds(1));
        transfer.OnTimer();
        Assert.Equal([1, 2, 3, 4, 4, 5, 6, 7, 4, 5, 6, 7], Blocks(link.ServerPackets));
        Assert.Equal(link.ServerPackets[4], link.ServerPackets[8]);
    }

    [Fact]
    public void ClientAckingBlockZeroInsteadOfReadingTheOackIsServed()
    {
        var content = Content(1000, 3);
        var link = new LossySimulation(0, 0, 0, 0) { RecordServerPackets = true };
        using var transfer = new TftpTransfer(Parameters(512, 1, optionAck: true), new MemoryStream(content), link, link.Time);
        transfer.Start();
        Assert.Equal(TftpOpcode.OptionAck, (TftpOpcode)BinaryPrimitives.ReadUInt16BigEndian(link.ServerPackets[0]));
        transfer.Receive(Ack(1)); // not an answer to the OACK: ignored
        Assert.Single(link.ServerPackets);
        transfer.Receive(Ack(0));
        transfer.Receive(Ack(1));
        transfer.Receive(Ack(2));
        Assert.Equal(TftpTransferOutcome.Completed, transfer.Outcome);
        Assert.Equal(content, link.ServerPackets.Skip(1).SelectMany(p => p[4..]).ToArray());
    }

    [Fact]
    public void ErrorFromTheClientEndsTheTransfer()
    {
        var link = new LossySimulation(0, 0, 0, 0) { RecordServerPackets = true };
        using var transfer = new TftpTransfer(Parameters(512, 1, optionAck: true), new MemoryStream(Content(1000, 3)), link, link.Time);
        transfer.Start();
        // The Raspberry Pi bootloader asks for tsize and then aborts like this.
        Assert.Equal(TftpRejectReason.None, transfer.Receive([0x00, 0x05, 0x00, 0x08, (byte)'s', (byte)'i', (byte)'z', (byte)'e', 0x00]));
        Assert.Equal(TftpTransferOutcome.ClientError, transfer.Outcome);
        Assert.Equal((TftpErrorCode.OptionNegotiationFailed, "size"), transfer.ClientError);
        Assert.Equal(DateTimeOffset.MaxValue, transfer.Deadline);
        link.Time.Advance(TimeSpan.FromSeconds(10));
        transfer.OnTimer();
        Assert.Single(link.ServerPackets);
    }

    [Fact]
    public void MalformedPacketsAreIgnoredWithAReason()
    {
        var link = new LossySimulation(0, 0, 0, 0) { RecordServerPackets = true };
        using var transfer = new TftpTransfer(Parameters(512, 1, optionAck: false), new MemoryStream(Content(1000, 3)), link, link.Time);
        transfer.Start();
        Assert.Equal(TftpRejectReason.TooShort, transfer.Receive([0x00]));
        Assert.Equal(TftpRejectReason.MalformedAck, transfer.Receive([0x00, 0x04, 0x00]));
        Assert.Equal(TftpRejectReason.UnexpectedOpcode, transfer.Receive([0x00, 0x03, 0x00, 0x01, 0x41]));
        Assert.Equal(TftpRejectReason.UnknownOpcode, transfer.Receive([0xFF, 0xFF, 0x00, 0x01]));
        Assert.Equal(TftpTransferOutcome.InProgress, transfer.Outcome);
        Assert.Single(link.ServerPackets);
    }

    [Fact]
    public void GivesUpAfterTheRetriesAndFreesTheStream()
    {
        var link = new LossySimulation(0, 0, 0, 0) { RecordServerPackets = true };
        var stream = new TrackingStream(Content(5000, 4));
        var transfer = new TftpTransfer(Parameters(512, 4, optionAck: false, maxRetries: 3), stream, link, link.Time);
        transfer.Start();
        transfer.OnTimer(); // before the deadline: nothing
        Assert.Equal(4, link.ServerPackets.Count);
        for (var i = 0; i < 3; i++)
        {
            link.Time.Advance(TimeSpan.FromMilliseconds(999));
            transfer.OnTimer();
            Assert.Equal(4 * (i + 1), link.ServerPackets.Count);
            link.Time.Advance(TimeSpan.FromMilliseconds(1));
            transfer.OnTimer();
            Assert.Equal(4 * (i + 2), link.ServerPackets.Count);
        }
        link.Time.Advance(TimeSpan.FromSeconds(1));
        transfer.OnTimer();
        Assert.Equal(TftpTransferOutcome.TimedOut, transfer.Outcome);
        Assert.Equal(16, link.ServerPackets.Count);
        Assert.False(stream.Disposed);
        transfer.Dispose();
        Assert.True(stream.Disposed);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(4, true)]
    public void ReadsTheBlockAfterTheWindowBeforeItsAckArrives(int windowSize, bool optionAck)
    {
        // While the client acknowledges, the next block is already in memory: the ACK is answered without a read.
        var content = Content(512 * 10, 5);
        var link = new LossySimulation(0, 0, 0, 0) { RecordServerPackets = true };
        var stream = new MemoryStream(content);
        using var transfer = new TftpTransfer(Parameters(512, windowSize, optionAck), stream, link, link.Time);
        transfer.Start();
        var sent = optionAck ? 0 : windowSize;
        Assert.Equal(512L * (sent + 1), stream.Position);
        if (optionAck)
        {
            transfer.Receive(Ack(0));
            sent = windowSize;
            Assert.Equal(512L * (sent + 1), stream.Position);
        }
        transfer.Receive(Ack((ushort)sent));
        Assert.Equal(512L * (2 * windowSize + 1), stream.Position);
        Assert.Equal(content.AsSpan(0, 512 * 2 * windowSize).ToArray(),
            link.ServerPackets.Skip(optionAck ? 1 : 0).SelectMany(p => p[4..]).ToArray());
    }

    [Fact]
    public void RetransmissionAfterAReadAheadSendsTheSameBytes()
    {
        // Block 5 is read ahead, then a timeout resends 1..4 from the file; the ACK that follows must still get
        // block 5's own bytes, and block 6 must follow on from there.
        var content = Content(512 * 7 + 100, 6);
        var link = new LossySimulation(0, 0, 0, 0) { RecordServerPackets = true };
        using var transfer = new TftpTransfer(Parameters(512, 4, optionAck: false), new MemoryStream(content), link, link.Time);
        transfer.Start();
        link.Time.Advance(TimeSpan.FromSeconds(1));
        transfer.OnTimer();
        transfer.Receive(Ack(4));
        transfer.Receive(Ack(8));
        Assert.Equal(TftpTransferOutcome.Completed, transfer.Outcome);
        Assert.Equal([1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8], Blocks(link.ServerPackets));
        Assert.Equal(link.ServerPackets[0], link.ServerPackets[4]);
        var delivered = link.ServerPackets.Take(4).Concat(link.ServerPackets.Skip(8)).SelectMany(p => p[4..]).ToArray();
        Assert.Equal(content, delivered);
    }

    /// <summary>Generous for a link losing a tenth of its packets with windows of 16, far below a resend storm.</summary>
    private static long MaxPackets(int length, int blockSize) => (length / blockSize + 1) * 8L + 2000;

    private static byte[] Ack(ushort block)
    {
        var ack = new byte[4];
        TftpPacket.WriteAck(ack, block);
        return ack;
    }

    private static int[] Blocks(IEnumerable<byte[]> packets) =>
        packets.Select(p => (int)BinaryPrimitives.ReadUInt16BigEndian(p.AsSpan(2))).ToArray();

    private sealed class TrackingStream(byte[] content) : MemoryStream(content)
    {
        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
