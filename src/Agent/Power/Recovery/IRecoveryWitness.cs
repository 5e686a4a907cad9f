using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Power.Recovery;

/// <summary>
/// Told before recovery power-cycles a host, and waited for (a bounded while): what the host shows then (its screen
/// in a snapshot) is why it is being cycled, and is gone once the power goes.
/// </summary>
public interface IRecoveryWitness
{
    /// <summary>Called before the cycle; <paramref name="why"/> is recovery's sentence. Must not throw; recovery waits at most a few seconds.</summary>
    Task BeforeCycleAsync(HostEntry host, string why, CancellationToken cancellation);
}
