namespace NetbootPi.Protocols.Dhcp.Leases;

/// <summary>What opening the lease store found; the caller logs it (anything dropped at warning level).</summary>
/// <param name="SnapshotRecords">Valid records read from the snapshot.</param>
/// <param name="JournalRecords">Valid records replayed from the journal.</param>
/// <param name="CorruptSnapshotRecords">Snapshot records skipped for a bad CRC (media damage: the snapshot is written whole).</param>
/// <param name="DroppedJournalBytes">Journal bytes dropped from the first bad record on (a torn last write, normally).</param>
/// <param name="DroppedAtOffset">Journal offset of the first dropped byte, or -1 when nothing was dropped.</param>
/// <param name="Leases">Distinct addresses recovered.</param>
public sealed record LeaseRecoveryReport(
    int SnapshotRecords, int JournalRecords, int CorruptSnapshotRecords, long DroppedJournalBytes, long DroppedAtOffset, int Leases)
{
    /// <summary>True when the journal ended in a partial or damaged record that was dropped.</summary>
    public bool DroppedTornRecord => DroppedJournalBytes > 0;

    public override string ToString() =>
        $"{Leases} leases from {SnapshotRecords} snapshot and {JournalRecords} journal records" +
        (CorruptSnapshotRecords > 0 ? $"; {CorruptSnapshotRecords} corrupt snapshot records skipped" : "") +
        (DroppedJournalBytes > 0 ? $"; dropped {DroppedJournalBytes} journal bytes at offset {DroppedAtOffset} (torn or damaged record)" : "");
}
