using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Transport;

namespace NetbootPi.Protocols.Tests.Dhcp;

/// <summary>
/// What the transport drops when it cannot keep up: REQUESTs (offers already made) before DISCOVERs, the oldest
/// DISCOVER when their ring is full, the newest other request when theirs is; everything counted.
/// </summary>
public class DhcpReceiveQueueTests
{
    // xid in bytes 4..7 tells the datagrams apart.
    private static byte[] Message(DhcpMessageType type, uint xid)
    {
        var packet = DhcpVectors.WithOptions(53, 1, (byte)type);
        packet[4] = (byte)(xid >> 24);
        packet[5] = (byte)(xid >> 16);
        packet[6] = (byte)(xid >> 8);
        packet[7] = (byte)xid;
        return packet;
    }

    private static void Receive(DhcpReceiveQueue queue, byte[] packet)
    {
        var slot = queue.Incoming;
        packet.CopyTo(slot.Buffer, 0);
        slot.Length = packet.Length;
        queue.Commit();
    }

    private static uint Xid(DhcpReceiveQueue.Slot slot) =>
        (uint)(slot.Buffer[4] << 24 | slot.Buffer[5] << 16 | slot.Buffer[6] << 8 | slot.Buffer[7]);

    private static List<uint> Drain(DhcpReceiveQueue queue)
    {
        var order = new List<uint>();
        while (queue.Next() is { } slot) order.Add(Xid(slot));
        return order;
    }

    [Fact]
    public void Requests_are_handed_out_before_discovers_each_in_arrival_order()
    {
        var queue = new DhcpReceiveQueue(discoverCapacity: 8, otherCapacity: 8);
        Receive(queue, Message(DhcpMessageType.Discover, 1));
        Receive(queue, Message(DhcpMessageType.Request, 2));
        Receive(queue, Message(DhcpMessageType.Discover, 3));
        Receive(queue, Message(DhcpMessageType.Release, 4));
        Receive(queue, Message(DhcpMessageType.Request, 5));
        Assert.Equal([2u, 4, 5, 1, 3], Drain(queue));
        Assert.Equal(0, queue.ShedDiscovers + queue.ShedOthers);
    }

    [Fact]
    public void A_full_discover_ring_drops_its_oldest_and_counts_it()
    {
        var queue = new DhcpReceiveQueue(discoverCapacity: 3, otherCapacity: 3);
        for (var xid = 1u; xid <= 5; xid++) Receive(queue, Message(DhcpMessageType.Discover, xid));
        Receive(queue, Message(DhcpMessageType.Request, 100));
        Assert.Equal(2, queue.ShedDiscovers);
        Assert.Equal([100u, 3, 4, 5], Drain(queue));
    }

    [Fact]
    public void A_full_ring_of_requests_drops_the_newest_and_keeps_discovers()
    {
        var queue = new DhcpReceiveQueue(discoverCapacity: 3, otherCapacity: 2);
        Receive(queue, Message(DhcpMessageType.Request, 1));
        Receive(queue, Message(DhcpMessageType.Request, 2));
        Receive(queue, Message(DhcpMessageType.Request, 3));
        Receive(queue, Message(DhcpMessageType.Discover, 4));
        Assert.Equal(1, queue.ShedOthers);
        Assert.Equal(0, queue.ShedDiscovers);
        Assert.Equal([1u, 2, 4], Drain(queue));
    }

    [Fact]
    public void Informs_come_last_and_a_flood_of_them_sheds_only_informs()
    {
        var queue = new DhcpReceiveQueue(discoverCapacity: 3, otherCapacity: 2, informCapacity: 2);
        Receive(queue, Message(DhcpMessageType.Inform, 1));
        Receive(queue, Message(DhcpMessageType.Discover, 2));
        for (var xid = 10u; xid < 1000; xid++) Receive(queue, Message(DhcpMessageType.Inform, xid));
        Receive(queue, Message(DhcpMessageType.Request, 3));
        Assert.Equal([3u, 2, 1, 10], Drain(queue));
        Assert.Equal(989, queue.ShedInforms);
        Assert.Equal(0, queue.ShedDiscovers + queue.ShedOthers);
    }

    [Fact]
    public void Slots_are_reused_without_mixing_up_datagrams_across_many_wraps()
    {
        var queue = new DhcpReceiveQueue(discoverCapacity: 4, otherCapacity: 4);
        var handed = new List<uint>();
        var xid = 0u;
        for (var round = 0; round < 50; round++)
        {
            // Interleave arrivals and handling as the receive loop does: a slot handed out is read before the
            // next datagram is received.
            for (var i = 0; i < 3; i++) Receive(queue, Message(i == 1 ? DhcpMessageType.Request : DhcpMessageType.Discover, ++xid));
            if (queue.Next() is { } slot) handed.Add(Xid(slot));
        }
        handed.AddRange(Drain(queue));
        Assert.Equal(handed.Count, handed.Distinct().Count());
        Assert.Equal(xid, (uint)handed.Count + (uint)(queue.ShedDiscovers + queue.ShedOthers));
        Assert.True(queue.ShedDiscovers > 0, "three arrivals per request handled must overflow a ring of 4");
        Assert.Equal(0, queue.ShedOthers);
    }

    [Theory]
    [InlineData(new byte[] { 53, 1, 1 }, DhcpMessageType.Discover)]
    [InlineData(new byte[] { 0, 0, 12, 3, 65, 66, 67, 53, 1, 3 }, DhcpMessageType.Request)] // pads and a host name first
    [InlineData(new byte[] { 12, 3, 65, 66, 67 }, DhcpMessageType.None)]                   // no option 53
    [InlineData(new byte[] { 53, 2, 1, 1 }, DhcpMessageType.None)]                         // wrong length
    public void PeekMessageType_reads_option_53_from_the_options_field(byte[] options, DhcpMessageType expected) =>
        Assert.Equal(expected, DhcpMessageParser.PeekMessageType(DhcpVectors.WithOptions(options)));

    [Fact]
    public void PeekMessageType_never_reads_past_a_truncated_option()
    {
        var packet = DhcpVectors.WithOptions(12, 200, 65); // claims 200 bytes, has 2 (65 and END)
        Assert.Equal(DhcpMessageType.None, DhcpMessageParser.PeekMessageType(packet));
        Assert.Equal(DhcpMessageType.None, DhcpMessageParser.PeekMessageType(packet.AsSpan(0, 100)));
        Assert.Equal(DhcpMessageType.None, DhcpMessageParser.PeekMessageType([.. DhcpVectors.DiscoverHeader(), 53]));
    }
}
