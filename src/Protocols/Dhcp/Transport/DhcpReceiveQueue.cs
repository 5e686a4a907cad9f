using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dhcp.Transport;

/// <summary>
/// The datagrams read from one socket and not yet handled, in three bounded rings: DISCOVERs, INFORMs, and everything
/// else (REQUESTs for offers already made, DECLINE, RELEASE). The transport reads the socket dry before each
/// request it handles, so the kernel's queue stays short and the choice of what to drop is made here, not by the
/// kernel dropping whatever arrives when its buffer is full.
/// </summary>
/// <remarks>
/// <para>
/// Why: a DORA needs the server twice. When the kernel drops at random, past saturation it drops REQUESTs for
/// offers the server already paid for, and the completed rate falls the more clients ask (0.27x of the peak at
/// twice the saturating rate, by arithmetic; 45% drops at 2.4x in issue 30's measurement). Handling every
/// non-DISCOVER first and shedding only DISCOVERs keeps each offer's work useful: the completed rate plateaus.
/// </para>
/// <para>
/// A full DISCOVER ring drops its oldest entry (that client has waited longest and retransmits anyway), so what is
/// answered is fresh; a full ring of the others drops the newest. Both are counted. Slots are pooled and their
/// buffers allocated on first use, so a quiet network costs a few KiB, a burst at most the three capacities.
/// Single-threaded: one receive loop owns a queue.
/// </para>
/// <para>
/// INFORMs come last and in a small ring of their own (the newest shed): a client that has its address asks
/// for options it can ask again for, and a flood of them (anyone can send one, without a lease) must not shed a
/// booting machine's REQUEST or DISCOVER.
/// </para>
/// </remarks>
public sealed class DhcpReceiveQueue
{
    /// <summary>Large enough for any DHCP message on an Ethernet link (clients send at most the MTU).</summary>
    public const int SlotBytes = 1536;

    private readonly Ring _discovers;
    private readonly Ring _others;
    private readonly Ring _informs;
    private Slot _spare = new();

    public DhcpReceiveQueue(int discoverCapacity = 1024, int otherCapacity = 256, int informCapacity = 64)
    {
        _discovers = new Ring(discoverCapacity);
        _others = new Ring(otherCapacity);
        _informs = new Ring(informCapacity);
    }

    /// <summary>DISCOVERs dropped because the ring was full (the oldest waiting one each time).</summary>
    public long ShedDiscovers { get; private set; }

    /// <summary>Other requests dropped because their ring was full (the newest).</summary>
    public long ShedOthers { get; private set; }

    /// <summary>INFORMs dropped because their ring was full (the newest).</summary>
    public long ShedInforms { get; private set; }

    public int Count => _discovers.Count + _others.Count + _informs.Count;

    /// <summary>The slot the next datagram is read into; hand it to <see cref="Commit"/> once it is filled.</summary>
    public Slot Incoming => _spare;

    /// <summary>Queues <see cref="Incoming"/> (its <see cref="Slot.Length"/> set), shedding if its ring is full.</summary>
    public void Commit()
    {
        var slot = _spare;
        var type = DhcpMessageParser.PeekMessageType(slot.Data);
        if (type == DhcpMessageType.Inform)
        {
            if (_informs.IsFull)
            {
                ShedInforms++; // the slot stays the spare: this datagram is dropped
            }
            else
            {
                _spare = _informs.FreeSlot();
                _informs.Enqueue(slot);
            }
        }
        else if (type == DhcpMessageType.Discover)
        {
            if (_discovers.IsFull)
            {
                _spare = _discovers.Dequeue()!;
                ShedDiscovers++;
            }
            else
            {
                _spare = _discovers.FreeSlot();
            }
            _discovers.Enqueue(slot);
        }
        else if (_others.IsFull)
        {
            ShedOthers++; // the slot stays the spare: this datagram is dropped
        }
        else
        {
            _spare = _others.FreeSlot();
            _others.Enqueue(slot);
        }
    }

    /// <summary>
    /// The next request to handle: REQUESTs and the like first, then DISCOVERs, then INFORMs; null when every ring is
    /// empty. The slot stays valid until the next <see cref="Commit"/>.
    /// </summary>
    public Slot? Next() => _others.Dequeue() ?? _discovers.Dequeue() ?? _informs.Dequeue();

    /// <summary>One received datagram.</summary>
    public sealed class Slot
    {
        public byte[] Buffer { get; } = new byte[SlotBytes];
        public int Length { get; set; }
        public Ipv4Address Source { get; set; }
        public int SourcePort { get; set; }

        /// <summary>The datagram's IP destination (IP_PKTINFO): the box's unicast address, or a broadcast address.</summary>
        public Ipv4Address Destination { get; set; }

        public ReadOnlySpan<byte> Data => Buffer.AsSpan(0, Length);
    }

    /// <summary>A circular buffer of slots whose free positions keep their slot objects for reuse.</summary>
    private sealed class Ring(int capacity)
    {
        private readonly Slot?[] _slots = new Slot?[capacity];
        private int _head;

        public int Count { get; private set; }
        public bool IsFull => Count == _slots.Length;

        /// <summary>The slot object at the tail position (made on first use), which <see cref="Enqueue"/> replaces.</summary>
        public Slot FreeSlot() => _slots[(_head + Count) % _slots.Length] ??= new Slot();

        public void Enqueue(Slot slot)
        {
            _slots[(_head + Count) % _slots.Length] = slot;
            Count++;
        }

        public Slot? Dequeue()
        {
            if (Count == 0) return null;
            var slot = _slots[_head]!;
            _head = (_head + 1) % _slots.Length;
            Count--;
            return slot;
        }
    }
}
