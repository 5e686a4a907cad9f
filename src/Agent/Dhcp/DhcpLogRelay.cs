using System.Threading.Channels;

namespace NetbootPi.Agent.Dhcp;

/// <summary>
/// Hands the DHCP server's log lines from its receive loops to one thread that writes them, through a bounded
/// queue: the console logger's writer blocks its caller once its own queue is full (a slow terminal, a stalled
/// journald), and a receive loop that waits on it stops answering. When this queue is full the entry is dropped
/// and counted (<see cref="DhcpActivity.LogLinesDropped"/>, reported in the summary line), never waited for.
/// </summary>
public sealed class DhcpLogRelay : IDisposable
{
    public const int Capacity = 4096;

    private readonly Channel<DhcpLogEntry> _queue = Channel.CreateBounded<DhcpLogEntry>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Action<DhcpLogEntry> _write;
    private readonly Action _dropped;
    private readonly Thread _writer;

    public DhcpLogRelay(Action<DhcpLogEntry> write, Action dropped)
    {
        _write = write;
        _dropped = dropped;
        // Its own thread: a writer that blocks forever holds this thread, not a thread-pool worker.
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "dhcp log" };
        _writer.Start();
    }

    /// <summary>Queues an entry without waiting; a full queue drops it and counts the drop.</summary>
    public void Post(in DhcpLogEntry entry)
    {
        if (!_queue.Writer.TryWrite(entry)) _dropped();
    }

    private void WriteLoop()
    {
        var reader = _queue.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            while (reader.TryRead(out var entry)) _write(entry);
    }

    /// <summary>Stops taking entries; the writer finishes what is queued unless it is stuck in a write.</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        // A writer blocked in the logger never returns: waiting for it would hang the agent's shutdown.
        _writer.Join(TimeSpan.FromSeconds(2));
    }
}
