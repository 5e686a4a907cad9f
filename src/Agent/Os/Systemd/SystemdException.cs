namespace NetbootPi.Agent.Os.Systemd;

/// <summary>A unit operation did not succeed: its job ended with another result than "done", or systemd refused it.</summary>
public sealed class SystemdException : Exception
{
    public SystemdException(string operation, string unit, string message, string? jobResult = null, string? errorName = null,
        Exception? inner = null)
        : base(message, inner)
    {
        Operation = operation;
        Unit = unit;
        JobResult = jobResult;
        ErrorName = errorName;
    }

    /// <summary>What was asked: "start", "stop", "restart", "reload-or-restart", "enable", ...</summary>
    public string Operation { get; }

    /// <summary>The unit (or unit files) it was asked for.</summary>
    public string Unit { get; }

    /// <summary>The job's result ("failed", "canceled", "timeout", "dependency", ...) when a job ran.</summary>
    public string? JobResult { get; }

    /// <summary>The D-Bus error name when systemd refused the request (e.g. org.freedesktop.systemd1.NoSuchUnit).</summary>
    public string? ErrorName { get; }
}
