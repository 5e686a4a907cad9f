using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Tests.Dhcp;

public sealed class LeaseStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-leases-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static DhcpLease Lease(int host, int mac, DhcpLeaseState state = DhcpLeaseState.Bound, int minutes = 60) =>
        new(new Ipv4Address(10, 0, 0, (byte)host), MacAddress.Parse($"52:54:00:00:00:{mac:x2}"), state, T0.AddMinutes(minutes));

    private string JournalPath(string dir) => Path.Combine(dir, LeaseStore.JournalFileName);

    private static async Task WriteAll(LeaseStore store, IEnumerable<DhcpLease> leases)
    {
        long last = 0;
        foreach (var l in leases) last = store.Append(l);
        await store.WhenDurableAsync(last, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Durable_records_survive_a_reopen_last_record_per_address_wins()
    {
        using (var store = LeaseStore.Open(_dir))
        {
            Assert.Empty(store.Recovered);
            await WriteAll(store, [Lease(100, 1), Lease(101, 2), Lease(100, 1, minutes: 120), Lease(101, 2, DhcpLeaseState.Released, 0)]);
            Assert.Equal(4, store.DurableTicket);
        }
        using var reopened = LeaseStore.Open(_dir);
        Assert.Equal(4, reopened.Recovery.JournalRecords);
        Assert.False(reopened.Recovery.DroppedTornRecord);
        Assert.Equal(
            new[] { Lease(100, 1, minutes: 120), Lease(101, 2, DhcpLeaseState.Released, 0) },
            reopened.Recovered.OrderBy(l => l.Address).ToArray());
    }

    [Fact]
    public async Task Many_concurrent_appends_all_become_durable()
    {
        using (var store = LeaseStore.Open(_dir))
        {
            var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
            {
                for (var i = 0; i < 200; i++)
                {
                    var ticket = store.Append(Lease(i % 250 + 1, t));
                    if (i % 50 == 49) await store.WhenDurableAsync(ticket, TestContext.Current.CancellationToken);
                }
            })).ToArray();
            await Task.WhenAll(tasks);
            Assert.Equal(1600, store.DurableTicket);
        }
        Assert.Equal(1600 * 28, new FileInfo(JournalPath(_dir)).Length);
    }

    [Fact]
    public async Task A_torn_last_record_is_dropped_at_every_cut_point()
    {
        DhcpLease[] leases = [Lease(100, 1), Lease(101, 2), Lease(102, 3), Lease(100, 1, minutes: 300)];
        using (var store = LeaseStore.Open(_dir)) await WriteAll(store, leases);
        var journal = await File.ReadAllBytesAsync(JournalPath(_dir), TestContext.Current.CancellationToken);
        var lastStart = journal.Length - 28;

        for (var cut = lastStart; cut < journal.Length; cut++)
        {
            var dir = Directory.CreateTempSubdirectory("netbootpi-torn-").FullName;
            try
            {
                await File.WriteAllBytesAsync(JournalPath(dir), journal[..cut], TestContext.Current.CancellationToken);
                using (var store = LeaseStore.Open(dir))
                {
                    // The last record (100 → 300 min) is lost; the address keeps its previous, durable record.
                    Assert.Equal([Lease(100, 1), Lease(101, 2), Lease(102, 3)], store.Recovered.OrderBy(l => l.Address).ToArray());
                    Assert.Equal(3, store.Recovery.JournalRecords);
                    Assert.Equal(cut - lastStart, store.Recovery.DroppedJournalBytes);
                    Assert.Equal(cut > lastStart ? lastStart : -1, store.Recovery.DroppedAtOffset);
                    // The tail was truncated, so the next record lands on a record boundary.
                    Assert.Equal(lastStart, new FileInfo(JournalPath(dir)).Length);
                    await WriteAll(store, [Lease(103, 4)]);
                }
                using var again = LeaseStore.Open(dir);
                Assert.False(again.Recovery.DroppedTornRecord);
                Assert.Equal(4, again.Recovered.Count);
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public async Task A_damaged_byte_in_the_last_record_is_detected_by_its_crc()
    {
        using (var store = LeaseStore.Open(_dir)) await WriteAll(store, [Lease(100, 1), Lease(101, 2)]);
        var journal = await File.ReadAllBytesAsync(JournalPath(_dir), TestContext.Current.CancellationToken);
        for (var i = 28; i < 56; i++)
        {
            var damaged = (byte[])journal.Clone();
            damaged[i] ^= 0x40;
            await File.WriteAllBytesAsync(JournalPath(_dir), damaged, TestContext.Current.CancellationToken);
            var (leases, report) = LeaseStore.Read(_dir);
            Assert.Equal([Lease(100, 1)], leases);
            Assert.Equal(28, report.DroppedJournalBytes);
        }
    }

    [Fact]
    public async Task A_damaged_middle_record_drops_everything_after_it()
    {
        using (var store = LeaseStore.Open(_dir)) await WriteAll(store, [Lease(100, 1), Lease(101, 2), Lease(102, 3)]);
        var journal = await File.ReadAllBytesAsync(JournalPath(_dir), TestContext.Current.CancellationToken);
        journal[30] ^= 0xFF;
        await File.WriteAllBytesAsync(JournalPath(_dir), journal, TestContext.Current.CancellationToken);
        using var store2 = LeaseStore.Open(_dir);
        Assert.Equal([Lease(100, 1)], store2.Recovered);
        Assert.Equal(56, store2.Recovery.DroppedJournalBytes);
        Assert.Equal(28, store2.Recovery.DroppedAtOffset);
        Assert.Contains("dropped 56 journal bytes at offset 28", store2.Recovery.ToString());
    }

    [Fact]
    public async Task Compaction_moves_the_journal_into_a_snapshot_without_losing_state()
    {
        var expected = new Dictionary<Ipv4Address, DhcpLease>();
        using (var store = LeaseStore.Open(_dir, new LeaseStoreOptions { CompactAfterRecords = 20 }))
        {
            for (var round = 0; round < 30; round++)
            {
                var batch = Enumerable.Range(0, 5).Select(i => Lease(100 + i, i, minutes: round)).ToArray();
                foreach (var l in batch) expected[l.Address] = l;
                await WriteAll(store, batch);
            }
            Assert.True(store.Compactions > 0);
            Assert.Null(store.LastCompactionError);
        }
        Assert.True(new FileInfo(JournalPath(_dir)).Length < 20 * 28);
        Assert.False(File.Exists(Path.Combine(_dir, LeaseStore.SnapshotFileName + ".tmp")));
        using var reopened = LeaseStore.Open(_dir);
        Assert.True(reopened.Recovery.SnapshotRecords > 0);
        Assert.Equal(expected.Values.OrderBy(l => l.Address), reopened.Recovered.OrderBy(l => l.Address));
    }

    [Fact]
    public async Task A_crash_between_snapshot_rename_and_journal_truncation_replays_to_the_same_state()
    {
        // Build a snapshot, then put back the journal as it was before the compaction emptied it.
        DhcpLease[] leases =
        [
            Lease(100, 1), Lease(101, 2), Lease(100, 3), Lease(102, 4, DhcpLeaseState.Declined),
            Lease(100, 3, minutes: 90), Lease(101, 2, minutes: 90), Lease(101, 2, minutes: 100), Lease(100, 3, minutes: 100),
        ];
        using (var store = LeaseStore.Open(_dir)) await WriteAll(store, leases);
        var journal = await File.ReadAllBytesAsync(JournalPath(_dir), TestContext.Current.CancellationToken);
        using (var store = LeaseStore.Open(_dir, new LeaseStoreOptions { CompactAfterRecords = 5 }))
            await WriteAll(store, [Lease(103, 5)]); // 9 records for 4 addresses: compacts
        Assert.Equal(0, new FileInfo(JournalPath(_dir)).Length);
        await File.WriteAllBytesAsync(JournalPath(_dir), journal, TestContext.Current.CancellationToken);
        // And a half-written temp snapshot from a later, interrupted compaction.
        await File.WriteAllBytesAsync(Path.Combine(_dir, LeaseStore.SnapshotFileName + ".tmp"), [1, 2, 3], TestContext.Current.CancellationToken);

        using var reopened = LeaseStore.Open(_dir);
        Assert.Equal([Lease(100, 3, minutes: 100), Lease(101, 2, minutes: 100), Lease(102, 4, DhcpLeaseState.Declined), Lease(103, 5)],
            reopened.Recovered.OrderBy(l => l.Address).ToArray());
        Assert.False(File.Exists(Path.Combine(_dir, LeaseStore.SnapshotFileName + ".tmp")));
    }

    [Fact]
    public void A_foreign_snapshot_is_refused_with_a_message()
    {
        File.WriteAllText(Path.Combine(_dir, LeaseStore.SnapshotFileName), "not ours");
        var e = Assert.Throws<InvalidDataException>(() => LeaseStore.Open(_dir));
        Assert.Contains("move it away", e.Message);
    }

    [Fact]
    public void Read_of_a_missing_directory_is_empty()
    {
        var (leases, report) = LeaseStore.Read(Path.Combine(_dir, "nope"));
        Assert.Empty(leases);
        Assert.Equal(0, report.Leases);
    }

    [Fact]
    public void A_ticket_that_was_never_issued_is_a_bug()
    {
        using var store = LeaseStore.Open(_dir);
        Assert.Throws<ArgumentOutOfRangeException>(() => store.WhenDurableAsync(5, TestContext.Current.CancellationToken));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.WaitUntilDurable(5, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Synchronous_waiters_return_only_once_their_record_is_durable()
    {
        using (var store = LeaseStore.Open(_dir))
        {
            var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
            {
                for (var i = 0; i < 300; i++)
                {
                    var ticket = store.Append(Lease(i % 250 + 1, t));
                    store.WaitUntilDurable(ticket, TestContext.Current.CancellationToken);
                    Assert.True(store.DurableTicket >= ticket);
                }
            })).ToArray();
            foreach (var thread in threads) thread.Start();
            foreach (var thread in threads) thread.Join();
            Assert.Equal(1200, store.DurableTicket);
        }
        Assert.Equal(1200 * 28, new FileInfo(JournalPath(_dir)).Length);
    }
}
