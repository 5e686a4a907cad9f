using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Power.Recovery;

/// <summary>
/// A host as recovery sees it: its phase since when, the cycles done, its policy and the last reason; or, for a host
/// whose profile asks for recovery that cannot work, only <see cref="Gap"/> (why not).
/// </summary>
public sealed record RecoveryStatus(string Host, RecoveryPhase? Phase, DateTimeOffset? Since, int Cycles, RecoveryPolicy? Policy, string? LastReason, string? Gap);
