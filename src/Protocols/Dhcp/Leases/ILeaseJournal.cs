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
}
