using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Tests.Dhcp;

/// <summary>
/// Leases with the client's host name: a version 2 record (92 bytes) only when there is a name, so that files
/// written before names (version 1, 28 bytes) load unchanged, and mixed files load too.
/// </summary>
public sealed class LeaseStoreNameTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-leases-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static DhcpLease Lease(int host, int mac, string? name = null, DhcpLeaseState state = DhcpLeaseState.Bound) =>
        new(new Ipv4Address(10, 0, 0, (byte)host), MacAddress.Parse($"52:54:00:00:00:{mac:x2}"), state, T0.AddMinutes(60), name);

    private string Journal => Path.Combine(_dir, LeaseStore.JournalFileName);
    private string Snapshot => Path.Combine(_dir, LeaseStore.SnapshotFileName);

    private static async Task WriteAll(LeaseStore store, params DhcpLease[] leases)
    {
        long last = 0;
        foreach (var l in leases) last = store.Append(l);
        await store.WhenDurableAsync(last, TestContext.Current.CancellationToken);
    }

    // A journal as the agent wrote it before host names (main at b7b0329), one record, annotated:
    private static readonly byte[] VersionOneRecord = Convert.FromHexString(
        "4C" + "01" + "01" + "00" +           // 'L', version 1, Bound, reserved
        "0A000064" +                          // 10.0.0.100
        "525400000001" + "0000" +             // MAC, reserved
        "000001A2087DEC80" +                  // 2026-11-23T13:00:00Z, Unix milliseconds
        "28728C76");                          // CRC-32 (zlib's) of the 24 bytes before it

    [Fact]
    public void A_journal_from_before_names_loads_unchanged()
    {
        File.WriteAllBytes(Journal, VersionOneRecord);
        using var store = LeaseStore.Open(_dir);
        Assert.Equal(1, store.Recovery.JournalRecords);
        Assert.False(store.Recovery.DroppedTornRecord);
        Assert.Equal([Lease(100, 1)], store.Recovered);
    }

    [Fact]
    public async Task A_lease_without_a_name_is_still_written_as_version_one_byte_for_byte()
    {
        using (var store = LeaseStore.Open(_dir)) await WriteAll(store, Lease(100, 1));
        Assert.Equal(VersionOneRecord, File.ReadAllBytes(Journal));
    }

    [Fact]
    public async Task Names_survive_a_reopen_beside_old_records_and_after_compaction()
    {
        File.WriteAllBytes(Journal, VersionOneRecord);
        using (var store = LeaseStore.Open(_dir))
            await WriteAll(store, Lease(101, 2, "laptop"), Lease(102, 3), Lease(103, 4, new string('x', 63)));
        Assert.Equal(28 + 92 + 28 + 92, new FileInfo(Journal).Length);
        using (var reopened = LeaseStore.Open(_dir, new LeaseStoreOptions { CompactAfterRecords = 5 }))
        {
            Assert.Equal([Lease(100, 1), Lease(101, 2, "laptop"), Lease(102, 3), Lease(103, 4, new string('x', 63))],
                reopened.Recovered.OrderBy(l => l.Address));
            // Compaction (once the journal holds twice the leases) writes the snapshot, marked as holding names.
            await WriteAll(reopened, Lease(101, 2, "desk"), Lease(101, 2, "laptop"), Lease(101, 2, "desk"), Lease(101, 2, "laptop2"));
        }
        Assert.Equal("NBPILSN2"u8.ToArray(), File.ReadAllBytes(Snapshot)[..8]);
        Assert.Equal(0, new FileInfo(Journal).Length);
        var (leases, report) = LeaseStore.Read(_dir);
        Assert.Equal(4, report.SnapshotRecords);
        Assert.Equal([Lease(100, 1), Lease(101, 2, "laptop2"), Lease(102, 3), Lease(103, 4, new string('x', 63))], leases);
    }

    [Fact]
    public async Task A_snapshot_without_names_keeps_the_old_header()
    {
        using (var store = LeaseStore.Open(_dir, new LeaseStoreOptions { CompactAfterRecords = 2 }))
            await WriteAll(store, Lease(100, 1), Lease(100, 1, state: DhcpLeaseState.Released), Lease(100, 1), Lease(101, 2));
        Assert.Equal("NBPILSN1"u8.ToArray(), File.ReadAllBytes(Snapshot)[..8]);
    }

    [Fact]
    public async Task A_torn_named_record_is_dropped_at_every_cut_point()
    {
        using (var store = LeaseStore.Open(_dir)) await WriteAll(store, Lease(100, 1, "first"), Lease(101, 2, "second"));
        var full = File.ReadAllBytes(Journal);
        Assert.Equal(184, full.Length);
        for (var cut = 93; cut < 184; cut++)
        {
            File.WriteAllBytes(Journal, full[..cut]);
            using var store = LeaseStore.Open(_dir);
            Assert.Equal([Lease(100, 1, "first")], store.Recovered);
            Assert.Equal(92, new FileInfo(Journal).Length);
        }
    }

    [Fact]
    public async Task A_damaged_name_fails_the_crc()
    {
        using (var store = LeaseStore.Open(_dir)) await WriteAll(store, Lease(100, 1, "laptop"));
        var bytes = File.ReadAllBytes(Journal);
        bytes[24] ^= 0x20; // 'l' -> 'L'
        File.WriteAllBytes(Journal, bytes);
        using var reopened = LeaseStore.Open(_dir);
        Assert.Empty(reopened.Recovered);
        Assert.True(reopened.Recovery.DroppedTornRecord);
    }
}
