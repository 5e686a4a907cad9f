using System.Globalization;
using System.Text;

namespace NetbootPi.Agent.Consoles;

/// <summary>
/// One host's console, kept in the state directory: <c>consoles/HOST.log</c>, a line each with the time it came,
/// bounded: past <see cref="MaxBytes"/> the file becomes <c>HOST.log.1</c> (replacing the one before) and a new one
/// starts, so a host keeps between one and two times that much. Diagnostics, not records: lines are flushed as
/// they come, not synced (a crash may lose the last ones).
/// </summary>
public sealed class ConsoleLog : IDisposable
{
    public const long MaxBytes = 512 * 1024;
    public const string Folder = "consoles";

    private readonly string _path;
    private readonly long _maxBytes;
    private FileStream? _file;
    private ConsoleLine? _last;

    public ConsoleLog(string stateDirectory, string host, long maxBytes = MaxBytes)
    {
        _path = PathOf(stateDirectory, host);
        _maxBytes = maxBytes;
    }

    /// <summary>The log's path: <c>STATE/consoles/HOST.log</c>.</summary>
    public static string PathOf(string stateDirectory, string host) => Path.Combine(stateDirectory, Folder, host + ".log");

    /// <summary>The last line and when it came; null before any.</summary>
    public ConsoleLine? Last => Volatile.Read(ref _last);

    /// <summary>Appends lines that came at <paramref name="time"/>.</summary>
    /// <exception cref="IOException">The state directory cannot be written.</exception>
    public void Append(DateTimeOffset time, IReadOnlyList<string> lines)
    {
        if (lines.Count == 0) return;
        var stamp = time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fff'Z' ", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        foreach (var line in lines) text.Append(stamp).Append(line).Append('\n');
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        var file = Open();
        if (file.Length > 0 && file.Length + bytes.Length > _maxBytes)
        {
            file.Dispose();
            _file = null;
            File.Move(_path, _path + ".1", overwrite: true);
            file = Open();
        }
        file.Write(bytes);
        file.Flush();
        Volatile.Write(ref _last, new ConsoleLine(time, lines[^1]));
    }

    private FileStream Open()
    {
        if (_file is not null) return _file;
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        return _file;
    }

    /// <summary>The last <paramref name="count"/> lines kept for a host (the rotated file's first), as they are in the files.</summary>
    public static IReadOnlyList<string> Tail(string stateDirectory, string host, int count)
    {
        var path = PathOf(stateDirectory, host);
        var lines = new List<string>();
        foreach (var file in new[] { path + ".1", path })
        {
            if (!File.Exists(file)) continue;
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (reader.ReadLine() is { } line) lines.Add(line);
        }
        return lines.Count <= count ? lines : lines.GetRange(lines.Count - count, count);
    }

    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
    }
}
