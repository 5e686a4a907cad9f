namespace NetbootPi.Protocols.Dhcp.Leases;

/// <summary>Lease store tuning.</summary>
public sealed class LeaseStoreOptions
{
    /// <summary>
    /// The journal is compacted into a snapshot once it holds this many records and at least twice as many
    /// records as there are live addresses (so a big fleet does not compact on every batch).
    /// </summary>
    public int CompactAfterRecords { get; init; } = 4096;

    /// <summary>
    /// Under load (the previous batch held more than one record) the flusher lets this long pass before it
    /// writes, so that one fsync covers more leases: on storage that syncs in well under a millisecond, a
    /// burst otherwise costs one fsync per handful of leases and the CPU that comes with each. Clients wait
    /// seconds for a reply; a millisecond more is nothing to them. Zero turns it off; a lone request never
    /// waits.
    /// </summary>
    public TimeSpan CommitDelay { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>A batch this large is written at once, without the <see cref="CommitDelay"/>.</summary>
    public int MaxBatch { get; init; } = 512;
}
