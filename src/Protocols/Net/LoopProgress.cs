namespace NetbootPi.Protocols.Net;

/// <summary>
/// What a server's receive loop is doing, for a health check to read: waiting for the next datagram (idle, however
/// long: blocked in the kernel is healthy), handling one since a given time (busy: stuck when that lasts), or ended.
/// Marking costs two volatile writes per datagram and never waits.
/// </summary>
public sealed class LoopProgress(string name, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private long _busySince; // a timestamp + 1 while busy; 0 while idle
    private string? _ended;

    /// <summary>What the loop serves, for messages ("TFTP on 0.0.0.0:69").</summary>
    public string Name { get; } = name;

    /// <summary>A datagram arrived and is being handled.</summary>
    public void Busy() => Volatile.Write(ref _busySince, _time.GetTimestamp() + 1);

    /// <summary>Back to waiting for the next datagram.</summary>
    public void Idle() => Volatile.Write(ref _busySince, 0);

    /// <summary>The loop has stopped: <paramref name="reason"/> says why when it was not asked to.</summary>
    public void End(string? reason) => Volatile.Write(ref _ended, reason ?? "");

    /// <summary>Why the loop ended when nobody stopped it; null while it runs or after a requested stop.</summary>
    public string? Failure => Volatile.Read(ref _ended) is { Length: > 0 } reason ? reason : null;

    /// <summary>How long it has been handling the current datagram; null while it waits.</summary>
    public TimeSpan? BusyFor
    {
        get
        {
            var since = Volatile.Read(ref _busySince);
            return since == 0 ? null : _time.GetElapsedTime(since - 1);
        }
    }
}
