namespace NetbootPi.Protocols.Dhcp.Leases;

/// <summary>
/// Where the engine records lease changes. <see cref="Append"/> only queues the record and returns at once;
/// the returned ticket tells the transport what to wait for before sending the reply that depends on it.
/// </summary>
public interface ILeaseJournal
{
    /// <summary>Queues a record and returns its commit ticket (increasing, greater than zero).</summary>
    long Append(in DhcpLease lease);

    /// <summary>Completes once every record up to <paramref name="ticket"/> is durable; faults if it never can be.</summary>
    ValueTask WhenDurableAsync(long ticket, CancellationToken cancellationToken = default);

    /// <summary>
    /// Blocks until every record up to <paramref name="ticket"/> is durable, for a dedicated sender thread that
    /// would otherwise pay a thread-pool hop per batch; throws <see cref="IOException"/> if it never can be, and
    /// <see cref="OperationCanceledException"/> when cancelled.
    /// </summary>
    void WaitUntilDurable(long ticket, CancellationToken cancellationToken);
}
