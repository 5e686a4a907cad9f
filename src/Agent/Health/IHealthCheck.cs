namespace NetbootPi.Agent.Health;

/// <summary>
/// One thing the agent must have to do its work (a loop making progress, a writable state directory). The
/// watchdog pets only while every check passes: a box whose checks fail is restarted (systemd) or reset (the
/// board's watchdog) rather than left serving half of what it should.
/// </summary>
public interface IHealthCheck
{
    /// <summary>Null when healthy; otherwise what is wrong, as a sentence naming the thing (a path, a loop).</summary>
    string? Problem();
}
