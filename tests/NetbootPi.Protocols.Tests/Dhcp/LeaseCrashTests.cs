using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Dhcp.Server;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Tests.Dhcp;

/// <summary>
/// The engine on the real store, ACKs "sent" only after their ticket is durable, and crash images of the state
/// directory taken mid-run (including torn tails): every ACKed lease must come back with its MAC, and a fresh
/// engine must never hand an ACKed, unexpired address to anyone else.
/// </summary>
public sealed class LeaseCrashTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-crash-").FullName;
    private readonly List<string> _images = [];

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        foreach (var d in _images) Directory.Delete(d, recursive: true);
    }

    [Fact]
    public async Task Acked_leases_survive_crashes_and_no_address_gets_two_owners()
    {
        var ct = TestContext.Current.CancellationToken;
        var rng = new Random(31337);
        var time = new FakeTimeProvider();
        var policy = new TestDhcpPolicy();
        policy.NetworkList.Add(TestDhcpPolicy.Lan("10.0.0.100", "10.0.0.139"));
        var acked = new Dictionary<Ipv4Address, (MacAddress Mac, DateTimeOffset Expires)>();
        var crashes = new List<(string Dir, Dictionary<Ipv4Address, (MacAddress, DateTimeOffset)> Acked, DateTimeOffset Now)>();
        var buffer = new byte[1500];
        var reply = new DhcpMessage();

        using (var store = LeaseStore.Open(_dir, new LeaseStoreOptions { CompactAfterRecords = 64 }))
        {
            // Every ACK promises the network's hour (the expiry checked below), first leases included.
            var engine = new DhcpEngine(policy, store, time, store.Recovered, EngineHarness.NoProbation);
            for (var step = 0; step < 600; step++)
            {
                var mac = MacAddress.Parse($"52:54:00:00:01:{rng.Next(60):x2}");
                var op = rng.Next(10);
                if (op < 6)
                {
                    var offer = Run(engine, EngineHarness.NewRequest(DhcpMessageType.Discover, mac, (uint)step), buffer, reply);
                    if (offer is null) continue;
                    var req = EngineHarness.NewRequest(DhcpMessageType.Request, mac, (uint)step);
                    req.Options.SetAddress(DhcpOptionCode.ServerIdentifier, EngineHarness.Server);
                    req.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, offer.Value.Address);
                    var ack = Run(engine, req, buffer, reply);
                    if (ack is not { Type: DhcpMessageType.Ack } a) continue;
                    Assert.True(a.Ticket > 0);
                    await store.WhenDurableAsync(a.Ticket, ct); // the transport's rule: send only once durable
                    acked[a.Address] = (mac, time.GetUtcNow() + TimeSpan.FromHours(1));
                }
                else if (op < 8)
                {
                    var held = acked.FirstOrDefault(kv => kv.Value.Mac == mac);
                    if (held.Value.Mac != mac) continue;
                    var release = EngineHarness.NewRequest(op == 6 ? DhcpMessageType.Release : DhcpMessageType.Decline, mac, (uint)step);
                    if (op == 6) release.ClientAddress = held.Key;
                    else release.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, held.Key);
                    Run(engine, release, buffer, reply);
                    acked.Remove(held.Key); // no promise is made to anyone by a release or decline
                }
                else time.Advance(TimeSpan.FromMinutes(rng.Next(1, 20)));

                if (step % 40 == 39) crashes.Add((CrashImage(rng), new(acked), time.GetUtcNow()));
            }
        }
        Assert.NotEmpty(crashes);

        foreach (var (dir, ackedThen, now) in crashes)
        {
            using var store = LeaseStore.Open(dir);
            var recovered = store.Recovered.ToDictionary(l => l.Address);
            foreach (var (address, (mac, expires)) in ackedThen)
            {
                Assert.True(recovered.TryGetValue(address, out var lease), $"ACKed {address} lost ({store.Recovery})");
                Assert.Equal(mac, lease.Mac);
                Assert.True(lease.ExpiresAt >= expires || lease.State != DhcpLeaseState.Bound);
            }

            // A fresh engine on the recovered state hands out only addresses nobody holds.
            var clock = new FakeTimeProvider(now);
            var engine = new DhcpEngine(policy, store, clock, store.Recovered);
            for (var i = 0; i < 50; i++)
            {
                var mac = MacAddress.Parse($"02:00:00:00:02:{i:x2}");
                var offer = Run(engine, EngineHarness.NewRequest(DhcpMessageType.Discover, mac, (uint)i), buffer, reply);
                if (offer is null) break;
                Assert.False(ackedThen.TryGetValue(offer.Value.Address, out var holder) && holder.Item2 > now,
                    $"{offer.Value.Address} offered to {mac} while ACKed to {holder.Item1}");
            }
        }
    }

    private static (DhcpMessageType Type, Ipv4Address Address, long Ticket)? Run(DhcpEngine engine, DhcpMessage request, byte[] buffer, DhcpMessage reply)
    {
        var r = engine.Handle(request, EngineHarness.Eth0, buffer);
        if (r.Disposition != DhcpDisposition.Reply) return null;
        Assert.Equal(DhcpParseError.None, reply.Parse(buffer.AsSpan(0, r.Length)));
        return (reply.MessageType, reply.YourAddress, r.CommitTicket);
    }

    /// <summary>Copies the state directory as a power cut would leave it, sometimes with a torn extra record.</summary>
    private string CrashImage(Random rng)
    {
        var image = Directory.CreateTempSubdirectory("netbootpi-crash-image-").FullName;
        _images.Add(image);
        foreach (var file in Directory.GetFiles(_dir))
        {
            var copy = Path.Combine(image, Path.GetFileName(file));
            try
            {
                File.Copy(file, copy);
            }
            catch (IOException) when (file.EndsWith(".tmp", StringComparison.Ordinal))
            {
                // A compaction is writing its snapshot right now (held exclusively, or renamed away since the
                // listing): the power cut leaves that file half written, or gone.
                if (File.Exists(file))
                {
                    var torn = new byte[Random.Shared.Next(1, 64)];
                    Random.Shared.NextBytes(torn);
                    File.WriteAllBytes(copy, torn);
                }
            }
        }
        var journal = Path.Combine(image, LeaseStore.JournalFileName);
        if (rng.Next(2) == 0)
        {
            // A record being written when the power went: some of its bytes reached the disk.
            var partial = new byte[rng.Next(1, 28)];
            rng.NextBytes(partial);
            using var f = new FileStream(journal, FileMode.Append);
            f.Write(partial);
        }
        return image;
    }
}
