using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using NetbootPi.Agent.Health;
using NetbootPi.Protocols.Net;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Os.Files;

namespace NetbootPi.Agent.Events;

/// <summary>
/// Boot events: the most recent in a bounded in-memory ring (for the console), all of them appended to a
/// JSON-lines file under the state directory (for <c>netbootpi events</c>). The file is capped: past
/// <see cref="MaxFileBytes"/> it becomes <c>events.jsonl.1</c> (replacing the previous one) and a new file starts.
/// </summary>
/// <remarks>
/// <see cref="Record"/> only puts the event in the ring and a bounded queue; one writer thread drains the queue
/// and appends what has gathered with a single write, so a burst of requests costs one write(2), not one each,
/// and no request waits on the disk. When the queue is full <see cref="Record"/> waits for room rather than drop
/// the event (an HTTP request can wait), <see cref="TryRecord"/> drops it and counts it (a DHCP receive loop must
/// not); <see cref="Dispose"/> writes everything queued before it returns.
/// </remarks>
public sealed partial class BootEventLog : IDisposable
{
    public const string FileName = "events.jsonl";
    public const int RingCapacity = 1024;
    public const long MaxFileBytes = 4 * 1024 * 1024;
    private const int QueueCapacity = 8192;
    private const int BatchBytes = 64 * 1024;
    private const int CoalesceMilliseconds = 10;

    private readonly Lock _gate = new();
    private readonly BootEvent[] _ring = new BootEvent[RingCapacity];
    private readonly string _path;
    private readonly long _maxFileBytes;
    private readonly ILogger _logger;
    private readonly Channel<BootEvent> _queue = Channel.CreateBounded<BootEvent>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Thread _writer;
    private int _next;
    private int _count;
    private long _dropped;
    private bool _disposed;
    // Owned by the writer thread alone.
    private FileStream? _file;
    private long _fileLength;
    private bool _fileFailed;

    public BootEventLog(string stateDirectory, ILogger<BootEventLog> logger, long maxFileBytes = MaxFileBytes)
    {
        _path = Path.Combine(stateDirectory, FileName);
        _maxFileBytes = maxFileBytes;
        _logger = logger;
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "boot events" };
        _writer.Start();
    }

    public string FilePath => _path;

    /// <summary>The writer thread's progress, for the health checks the watchdog pets under: busy while it writes a batch.</summary>
    public LoopProgress Progress { get; } = new("boot event writer");

    /// <summary>
    /// Every event as it is recorded, on the recording thread (a DHCP receive loop among them): handlers must
    /// return at once, handing the event on rather than acting on it there.
    /// </summary>
    public event Action<BootEvent>? Recorded;

    public void Record(BootEvent e)
    {
        lock (_gate)
        {
            _ring[_next] = e;
            _next = (_next + 1) % RingCapacity;
            _count = Math.Min(_count + 1, RingCapacity);
            if (_disposed) return;
        }
        Recorded?.Invoke(e);
        if (_queue.Writer.TryWrite(e)) return;
        // Full: the disk is slower than the requests. Waiting here slows the requests down instead of losing events.
        try
        {
            _queue.Writer.WriteAsync(e).AsTask().GetAwaiter().GetResult();
        }
        catch (ChannelClosedException)
        {
            // Disposed meanwhile: the agent is stopping, the ring has it.
        }
    }

    /// <summary>
    /// Like <see cref="Record"/> but never waits: false (and <see cref="Dropped"/> counts it) when the file's queue
    /// is full. The ring has the event either way.
    /// </summary>
    public bool TryRecord(BootEvent e)
    {
        lock (_gate)
        {
            _ring[_next] = e;
            _next = (_next + 1) % RingCapacity;
            _count = Math.Min(_count + 1, RingCapacity);
            if (_disposed) return false;
        }
        Recorded?.Invoke(e);
        if (_queue.Writer.TryWrite(e)) return true;
        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>Events <see cref="TryRecord"/> could not queue for the file since the log was opened.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>The events still in the ring, oldest first; optionally only one host's.</summary>
    public IReadOnlyList<BootEvent> Recent(string? host = null)
    {
        lock (_gate)
        {
            var list = new List<BootEvent>(_count);
            for (var i = 0; i < _count; i++)
            {
                var e = _ring[(_next - _count + i + RingCapacity) % RingCapacity];
                if (host is null || string.Equals(e.Host, host, StringComparison.OrdinalIgnoreCase)) list.Add(e);
            }
            return list;
        }
    }

    private void WriteLoop()
    {
        var batch = new ArrayBufferWriter<byte>(BatchBytes);
        var line = new ArrayBufferWriter<byte>(512);
        using var json = new Utf8JsonWriter(line);
        var reader = _queue.Reader;
        // Opened before the first event so the cap counts what an earlier run of the agent left in the file.
        Open();
        // A dedicated thread blocks here, so a full thread pool never delays the log (nor the log the pool).
        // The work is in WriteBatch: a method that never returns would run unoptimized (on-stack replacement
        // at best), a method called per batch gets fully optimized by tiered compilation.
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            // Busy from here until the queue is written: a write(2) that never returns (a dying SD card) shows.
            Progress.Busy();
            FaultHooks.WedgeIf("events-wedge");
            // Events that come close together are written together: without the pause this thread woke for
            // nearly every request under load (about 6% of the agent's CPU at 60k small files/s, bench/http.sh).
            // The ring has each event at once; only the file lags, by at most this pause.
            Thread.Sleep(CoalesceMilliseconds);
            while (WriteBatch(reader, batch, line, json)) { }
            Progress.Idle();
        }
        _file?.Dispose();
        _file = null;
        Progress.End(null);
    }

    /// <summary>Writes up to a batch of what is queued; true when it stopped at the batch size (more may wait).</summary>
    private bool WriteBatch(ChannelReader<BootEvent> reader, ArrayBufferWriter<byte> batch, ArrayBufferWriter<byte> line, Utf8JsonWriter json)
    {
        var full = false;
        while (!(full = batch.WrittenCount >= BatchBytes) && reader.TryRead(out var e))
        {
            line.ResetWrittenCount();
            json.Reset(line);
            Write(json, e);
            line.Write("\n"u8);
            if (_fileLength + batch.WrittenCount + line.WrittenCount > _maxFileBytes && _fileLength + batch.WrittenCount > 0)
            {
                // The cap is per line, as if written one by one: what is in the batch belongs to the old file.
                Append(batch.WrittenSpan);
                batch.ResetWrittenCount();
                Rotate();
            }
            batch.Write(line.WrittenSpan);
        }
        Append(batch.WrittenSpan);
        batch.ResetWrittenCount();
        return full;
    }

    private void Append(ReadOnlySpan<byte> lines)
    {
        if (lines.IsEmpty || !Open()) return;
        try
        {
            // One write(2) per batch, which a reader sees at once; not fsynced: losing the last events in a
            // power cut is acceptable, stalling boot requests on the SD card is not.
            _file!.Write(lines);
            _fileLength += lines.Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Fail(ex);
        }
    }

    private bool Open()
    {
        if (_fileFailed) return false;
        if (_file is not null) return true;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            _file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);
            _fileLength = _file.Length;
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Fail(ex);
            return false;
        }
    }

    private void Rotate()
    {
        if (_fileFailed) return;
        try
        {
            _file?.Dispose();
            _file = null;
            if (File.Exists(_path)) File.Move(_path, _path + ".1", overwrite: true);
            _fileLength = 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Fail(ex);
        }
    }

    private void Fail(Exception ex)
    {
        // The ring still works; say once why the durable log does not.
        _fileFailed = true;
        _file?.Dispose();
        _file = null;
        LogFileFailed(_path, FileErrors.Reason(ex, _path));
    }

    public static byte[] Serialize(BootEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer)) Write(w, e);
        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(Utf8JsonWriter w, BootEvent e)
    {
        Span<char> time = stackalloc char[24];
        e.Time.UtcDateTime.TryFormat(time, out var written, "yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        w.WriteStartObject();
        w.WriteString("time"u8, time[..written]);
        w.WriteString("client"u8, e.Client);
        if (e.Host is null) w.WriteNull("host"u8);
        else w.WriteString("host"u8, e.Host);
        w.WriteString("what"u8, BootEvent.KindName(e.Kind));
        w.WriteString("path"u8, e.Path);
        w.WriteNumber("status"u8, e.Status);
        w.WriteNumber("bytes"u8, e.Bytes);
        w.WriteEndObject();
        w.Flush();
    }

    /// <summary>Parses one line of the log; null for a line that is not an event (e.g. cut short by a crash).</summary>
    public static BootEvent? Parse(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            if (r.ValueKind != JsonValueKind.Object) return null;
            if (!r.TryGetProperty("time", out var time) || !time.TryGetDateTimeOffset(out var t)) return null;
            if (!r.TryGetProperty("what", out var what) || what.ValueKind != JsonValueKind.String
                || BootEvent.ParseKind(what.GetString()!) is not { } kind) return null;
            if (!r.TryGetProperty("client", out var client) || client.ValueKind != JsonValueKind.String) return null;
            if (!r.TryGetProperty("path", out var path) || path.ValueKind != JsonValueKind.String) return null;
            if (!r.TryGetProperty("status", out var status) || !status.TryGetInt32(out var s)) return null;
            if (!r.TryGetProperty("bytes", out var bytes) || !bytes.TryGetInt64(out var b)) return null;
            var host = r.TryGetProperty("host", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString() : null;
            return new BootEvent(t, client.GetString()!, host, kind, path.GetString()!, s, b);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Every event in the files under <paramref name="stateDirectory"/>, oldest first.</summary>
    public static IEnumerable<BootEvent> ReadFiles(string stateDirectory)
    {
        var path = Path.Combine(stateDirectory, FileName);
        foreach (var file in new[] { path + ".1", path })
        {
            if (!File.Exists(file)) continue;
            using var reader = new StreamReader(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), Encoding.UTF8);
            while (reader.ReadLine() is { } line)
                if (Parse(line) is { } e) yield return e;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        _queue.Writer.TryComplete();
        _writer.Join();
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "boot events are kept in memory only: cannot write {Path}: {Reason} (check server.state_dir and its permissions)")]
    private partial void LogFileFailed(string path, string reason);
}
