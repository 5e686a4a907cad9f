namespace NetbootPi.Agent.Site;

/// <summary>
/// <c>recovery:</c> on a profile or a host (docs/power.md): how long a boot may take, what proves the host is up,
/// and how often the box power-cycles a host that does not come up (or that goes silent) before it marks it failed.
/// </summary>
/// <param name="BootTimeout">From a power-on (or the first sign of a boot) to the host being up.</param>
/// <param name="ProbePort">The TCP port that answers once the host is up; null: up means its kernel was fetched.</param>
/// <param name="Attempts">Power cycles in a row before the host is marked failed.</param>
/// <param name="Backoff">Added before the second cycle, doubled before each further one.</param>
/// <param name="DownAfter">How long the probe may fail on a host that was up before it is cycled (only with a probe).</param>
public sealed record RecoveryPolicy(TimeSpan BootTimeout, int? ProbePort, int Attempts, TimeSpan Backoff, TimeSpan DownAfter, SourceLocation Location)
{
    public static readonly TimeSpan DefaultBootTimeout = TimeSpan.FromMinutes(5);
    public const int DefaultAttempts = 3;
    public static readonly TimeSpan DefaultBackoff = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan DefaultDownAfter = TimeSpan.FromMinutes(2);

    /// <summary>Whether <paramref name="driver"/> can power-cycle a host (Wake-on-LAN can only wake one).</summary>
    public static bool CanCycle(PowerDriver driver) => driver != PowerDriver.WakeOnLan;

    /// <summary>How the probe reads in events and docs: <c>tcp:22</c>, or <c>none</c>.</summary>
    public string ProbeText => ProbePort is { } port ? $"tcp:{port}" : "none";

    /// <summary>The wait before cycle <paramref name="cycle"/> (1-based) once the boot it follows has run out of time.</summary>
    public TimeSpan BackoffBefore(int cycle) =>
        cycle <= 1 ? TimeSpan.Zero : Backoff * Math.Pow(2, Math.Min(cycle - 2, 16));
}
