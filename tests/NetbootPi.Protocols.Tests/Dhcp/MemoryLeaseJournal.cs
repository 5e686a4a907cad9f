using NetbootPi.Protocols.Dhcp.Leases;

namespace NetbootPi.Protocols.Tests.Dhcp;

/// <summary>A journal that keeps records in a list and calls every ticket durable at once.</summary>
internal sealed class MemoryLeaseJournal : ILeaseJournal
{
    public List<DhcpLease> Records { get; } = [];

    public long Append(in DhcpLease lease)
    {
        Records.Add(lease);
        return Records.Count;
    }

    public ValueTask WhenDurableAsync(long ticket, CancellationToken cancellationToken = default) =>
        ticket <= Records.Count ? ValueTask.CompletedTask : throw new InvalidOperationException($"ticket {ticket} was never issued");

    public void WaitUntilDurable(long ticket, CancellationToken cancellationToken)
    {
        if (ticket > Records.Count) throw new InvalidOperationException($"ticket {ticket} was never issued");
    }
}
