using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace NetbootPi.Agent.Events;

/// <summary>
/// Boot events: the most recent in a bounded in-memory ring (for the console), all of them appended to a
/// JSON-lines file under the state directory (for <c>netbootpi events</c>). The file is capped: past
/// <see cref="MaxFileBytes"/> it becomes <c>events.jsonl.1</c> (replacing the previous one) and a new file starts.
/// </summary>
public sealed partial class BootEventLog : IDisposable
{
    public const string FileName = "events.jsonl";
    public const int RingCapacity = 1024;
    public const long MaxFileBytes = 4 * 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly BootEvent[] _ring = new BootEvent[RingCapacity];
    private readonly string _path;
    private readonly long _maxFileBytes;
    private readonly ILogger _logger;
    private int _next;
    private int _count;
    private FileStream? _file;
    private bool _fileFailed;

    public BootEventLog(string stateDirectory, ILogger<BootEventLog> logger, long maxFileBytes = MaxFileBytes)
    {
        _path = Path.Combine(stateDirectory, FileName);
        _maxFileBytes = maxFileBytes;
        _logger = logger;
    }

    public string FilePath => _path;

    public void Record(BootEvent e)
    {
        var line = Serialize(e);
        lock (_gate)
        {
            _ring[_next] = e;
            _next = (_next + 1) % RingCapacity;
            _count = Math.Min(_count + 1, RingCapacity);
            Append(line);
        }
    }

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

    private void Append(byte[] line)
    {
        if (_fileFailed) return;
        try
        {
            if (_file is null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
                _file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read);
            }
            if (_file.Length + line.Length > _maxFileBytes && _file.Length > 0)
            {
                _file.Dispose();
                File.Move(_path, _path + ".1", overwrite: true);
                _file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read);
            }
            _file.Write(line);
            // Flushed to the kernel per event so a reader sees it; not fsynced: losing the last events in a
            // power cut is acceptable, stalling every boot request on the SD card is not.
            _file.Flush();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The ring still works; say once why the durable log does not.
            _fileFailed = true;
            _file?.Dispose();
            _file = null;
            LogFileFailed(_path, ex.Message);
        }
    }

    public static byte[] Serialize(BootEvent e)
    {
        using var buffer = new MemoryStream(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("time", e.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("client", e.Client);
            if (e.Host is null) w.WriteNull("host");
            else w.WriteString("host", e.Host);
            w.WriteString("what", BootEvent.KindName(e.Kind));
            w.WriteString("path", e.Path);
            w.WriteNumber("status", e.Status);
            w.WriteNumber("bytes", e.Bytes);
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
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
            _file?.Dispose();
            _file = null;
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "boot events are kept in memory only: cannot write {Path}: {Reason} (check server.state_dir and its permissions)")]
    private partial void LogFileFailed(string path, string reason);
}
