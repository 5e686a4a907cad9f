using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Site;
using NetbootPi.Hardware.Serial;

namespace NetbootPi.Agent.Consoles;

/// <summary>
/// Reads one host's console for as long as the agent runs: connects (opens the serial line, or connects to the VM's
/// socket), turns what comes into lines in the host's <see cref="ConsoleLog"/>, and connects again after a loss (an
/// adapter unplugged, a VM restarted), waiting 1 s, then up to 10 s between tries. Connecting and losing it are
/// boot events of the host, once per change. Runs on a thread of its own: reads block, at most half a second.
/// </summary>
public sealed partial class ConsoleReader : IDisposable
{
    private static readonly TimeSpan PartialWait = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(10);

    private readonly string _host;
    private readonly BootEventLog _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConsoleLog _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    public ConsoleReader(string host, HostConsole console, string stateDirectory, BootEventLog events, TimeProvider time, ILogger logger)
    {
        _host = host;
        Console = console;
        _events = events;
        _time = time;
        _logger = logger;
        _log = new ConsoleLog(stateDirectory, host);
        _thread = new Thread(Run) { IsBackground = true, Name = $"console {host}" };
        _thread.Start();
    }

    public HostConsole Console { get; }

    /// <summary>The last line read and when; null before any.</summary>
    public ConsoleLine? Last => _log.Last;

    private void Run()
    {
        var retry = TimeSpan.FromSeconds(1);
        var lost = false;
        var connected = false;
        while (!_stop.IsCancellationRequested)
        {
            string? reason;
            try
            {
                using var source = Connect();
                Record(0, $"reading {Console.Describe()}");
                LogConnected(_host, Console.Describe());
                lost = false;
                connected = true;
                retry = TimeSpan.FromSeconds(1);
                reason = Pump(source);
            }
            catch (Exception e) when (e is IOException or SocketException or UnauthorizedAccessException)
            {
                reason = e.Message;
            }
            if (_stop.IsCancellationRequested) return;
            if (!lost)
            {
                // Once per loss: a VM that is off would otherwise fill the events with the same line.
                var what = connected ? "lost" : "cannot read";
                Record(1, $"{what} {Console.Describe()}: {reason}; trying again every {(int)MaxRetry.TotalSeconds}s at most");
                LogLost(_host, what, Console.Describe(), reason);
                lost = true;
            }
            _stop.Token.WaitHandle.WaitOne(retry);
            retry = retry * 2 > MaxRetry ? MaxRetry : retry * 2;
        }
    }

    private Source Connect()
    {
        if (Console.Device is { } device) return new SerialSource(SerialLine.Open(device, Console.Baud));
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(Console.Socket!));
            return new SocketSource(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Reads until the source ends or fails (the reason) or the reader stops (null).</summary>
    private string? Pump(Source source)
    {
        var lines = new ConsoleLines();
        var buffer = new byte[4096];
        var batch = new List<string>();
        var lastData = _time.GetUtcNow();
        while (!_stop.IsCancellationRequested)
        {
            var n = source.Read(buffer);
            var now = _time.GetUtcNow();
            if (n < 0) return "it closed";
            if (n > 0)
            {
                lines.Feed(buffer.AsSpan(0, n), batch);
                lastData = now;
            }
            else if (lines.HasPartial && now - lastData >= PartialWait && lines.TakePartial() is { } partial) batch.Add(partial);
            if (batch.Count == 0) continue;
            _log.Append(now, batch);
            batch.Clear();
        }
        if (lines.TakePartial() is { } rest) _log.Append(_time.GetUtcNow(), [rest]);
        return null;
    }

    private void Record(int status, string what) =>
        _events.Record(new BootEvent(_time.GetUtcNow(), "console", _host, BootEventKind.Console, what, status, 0));

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join(TimeSpan.FromSeconds(5));
        _log.Dispose();
        _stop.Dispose();
    }

    /// <summary>A console's byte source: a read returns the count, 0 when nothing came within half a second, -1 at its end.</summary>
    private abstract class Source : IDisposable
    {
        public abstract int Read(Span<byte> buffer);
        public abstract void Dispose();
    }

    private sealed class SerialSource(SerialLine line) : Source
    {
        public override int Read(Span<byte> buffer) => line.Read(buffer);
        public override void Dispose() => line.Dispose();
    }

    private sealed class SocketSource(Socket socket) : Source
    {
        public override int Read(Span<byte> buffer)
        {
            if (!socket.Poll(TimeSpan.FromMilliseconds(500), SelectMode.SelectRead)) return 0;
            var n = socket.Receive(buffer);
            return n == 0 ? -1 : n;
        }

        public override void Dispose() => socket.Dispose();
    }

    [LoggerMessage(EventId = 910, Level = LogLevel.Information, Message = "console of {Host}: reading {Where}")]
    private partial void LogConnected(string host, string where);

    [LoggerMessage(EventId = 911, Level = LogLevel.Warning, Message = "console of {Host}: {What} {Where}: {Reason}")]
    private partial void LogLost(string host, string what, string where, string? reason);
}
