using NetbootPi.Protocols.Tftp;

namespace NetbootPi.Protocols.Tests.Tftp;

/// <summary>
/// Runs a <see cref="TftpTransfer"/> against a <see cref="SimulatedClient"/> over a link that drops, duplicates
/// and reorders packets, chosen by a seeded RNG, on a fake clock: every run with the same seed is the same run.
/// </summary>
internal sealed class LossySimulation : ITftpPacketSink
{
    private readonly Random _rng;
    private readonly double _drop;
    private readonly double _duplicate;
    private readonly double _reorder;
    private readonly PriorityQueue<(bool ToServer, byte[] Packet), (DateTimeOffset At, long Sequence)> _inFlight = new();
    private long _sequence;

    public LossySimulation(int seed, double drop, double duplicate, double reorder)
    {
        _rng = new Random(seed);
        _drop = drop;
        _duplicate = duplicate;
        _reorder = reorder;
    }

    public FakeTimeProvider Time { get; } = new();
    public int PacketsToClient { get; private set; }
    public int Dropped { get; private set; }
    public int Duplicated { get; private set; }
    public int Reordered { get; private set; }

    /// <summary>What the server sent, in order, when recording is on.</summary>
    public List<byte[]> ServerPackets { get; } = [];

    public bool RecordServerPackets { get; set; }

    public void Send(ReadOnlySpan<byte> packet)
    {
        PacketsToClient++;
        if (RecordServerPackets) ServerPackets.Add(packet.ToArray());
        Transmit(toServer: false, packet);
    }

    private void Transmit(bool toServer, ReadOnlySpan<byte> packet)
    {
        if (_rng.NextDouble() < _drop)
        {
            Dropped++;
            return;
        }
        var copies = 1;
        if (_rng.NextDouble() < _duplicate)
        {
            Duplicated++;
            copies = 2;
        }
        for (var i = 0; i < copies; i++)
        {
            // 1 ms on the wire; a reordered packet is held back up to 5 ms so that later ones overtake it.
            var delay = TimeSpan.FromMilliseconds(1);
            if (_rng.NextDouble() < _reorder)
            {
                Reordered++;
                delay += TimeSpan.FromMilliseconds(_rng.Next(1, 6));
            }
            _inFlight.Enqueue((toServer, packet.ToArray()), (Time.GetUtcNow() + delay, _sequence++));
        }
    }

    /// <summary>
    /// Runs until the server's transfer has ended and nothing is in flight. Fails when the server sends more than
    /// <paramref name="maxPackets"/>: a resend storm (Sorcerer's Apprentice) grows without bound otherwise.
    /// </summary>
    public void Run(TftpTransfer server, SimulatedClient client, long maxPackets)
    {
        server.Start();
        while (true)
        {
            Assert.True(PacketsToClient <= maxPackets, $"the server sent {PacketsToClient} packets, more than the {maxPackets} allowed");
            if (server.Outcome != TftpTransferOutcome.InProgress && _inFlight.Count == 0) return;
            var next = server.Deadline;
            if (client.Deadline < next && server.Outcome == TftpTransferOutcome.InProgress) next = client.Deadline;
            if (_inFlight.TryPeek(out _, out var head) && head.At <= next) next = head.At;
            if (next == DateTimeOffset.MaxValue) return;
            if (next > Time.GetUtcNow()) Time.SetUtcNow(next);
            while (_inFlight.TryPeek(out var item, out var at) && at.At <= Time.GetUtcNow())
            {
                _inFlight.Dequeue();
                if (item.ToServer)
                {
                    server.Receive(item.Packet);
                }
                else
                {
                    var reply = client.Receive(item.Packet);
                    if (reply is not null) Transmit(toServer: true, reply);
                }
            }
            server.OnTimer();
            if (server.Outcome == TftpTransferOutcome.InProgress)
            {
                var retry = client.OnTimer();
                if (retry is not null) Transmit(toServer: true, retry);
            }
        }
    }
}
