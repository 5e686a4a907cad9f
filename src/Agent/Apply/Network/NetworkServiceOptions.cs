namespace NetbootPi.Agent.Apply.Network;

/// <summary>How the running agent manages its own network (<c>netbootpi run --manage-network</c>).</summary>
public sealed record NetworkServiceOptions
{
    /// <summary>How long a change made at start or on reload waits for <c>netbootpi confirm</c> before it is put back.</summary>
    public TimeSpan ConfirmWithin { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Where files go and which tools run.</summary>
    public NetworkApplierOptions Applier { get; init; } = new();
}
