namespace NetbootPi.Protocols.Dhcp.Leases;

/// <summary>Lease store tuning.</summary>
public sealed class LeaseStoreOptions
{
    /// <summary>
    /// The journal is compacted into a snapshot once it holds this many records and at least twice as many
    /// records as there are live addresses (so a big fleet does not compact on every batch).
    /// </summary>
    public int CompactAfterRecords { get; init; } = 4096;
}
