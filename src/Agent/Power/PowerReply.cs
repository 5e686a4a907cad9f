using NetbootPi.Hardware.Power;

namespace NetbootPi.Agent.Power;

/// <summary>What a power action did: whether it did what was asked, the host's state after it, and one sentence for people.</summary>
public sealed record PowerReply(bool Succeeded, PowerState State, string Message);
