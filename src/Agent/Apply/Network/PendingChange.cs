namespace NetbootPi.Agent.Apply.Network;

/// <summary>A network applied but not yet confirmed: put back the last confirmed one at <paramref name="Deadline"/>.</summary>
/// <param name="Source">What applied it ("start", "reload", "apply"), for messages.</param>
public sealed record PendingChange(NetworkWanted Wanted, DateTimeOffset Deadline, string Source);
