using System.Diagnostics;
using System.Globalization;
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
    private readonly HostEntry _entry;
    private readonly string _siteFile;
    private readonly BootEventLog _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConsoleLog _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    public ConsoleReader(HostEntry host, string siteFile, string stateDirectory, BootEventLog events, TimeProvider time, ILogger logger)
    {
        _entry = host;
        _siteFile = siteFile;
        _host = host.Name;
        Console = host.Console!;
        _events = events;
        _time = time;
        _logger = logger;
        _log = new ConsoleLog(stateDirectory, _host);
        _thread = new Thread(Run) { IsBackground = true, Name = $"console {_host}" };
        _thread.Start();
    }

    public HostConsole Console { get; }

    /// <summary>The host as the reader was started for: a reload that changes its console (or, for SOL, its BMC) starts another.</summary>
    public HostEntry Host => _entry;

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
        if (Console.Sol) return SolSource.Start(_entry, _siteFile);
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
            if (n < 0) return source.EndReason;
            if (n > 0)
            {
                lines.Feed(buffer.AsSpan(0, n), batch);
                lastData = now;
                // ipmitool's own notices ("[SOL Session operational.  Use ~? for help]") are not the host's.
                if (Console.Sol) batch.RemoveAll(l => l.StartsWith("[SOL Session", StringComparison.Ordinal));
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
        public virtual string EndReason => "it closed";
        public abstract void Dispose();
    }

    /// <summary>
    /// <c>ipmitool -I lanplus ... sol activate</c> as a process, its output the console. Its input stays open and
    /// unwritten (at its end ipmitool would close the session); the password goes in its environment, never argv.
    /// </summary>
    private sealed class SolSource : Source
    {
        private readonly Process _process;
        private readonly Stream _output;
        private readonly byte[] _buffer = new byte[4096];
        private Task<int>? _pending;
        private volatile string? _lastError;

        private SolSource(Process process)
        {
            _process = process;
            _output = process.StandardOutput.BaseStream;
            process.ErrorDataReceived += (_, e) =>
            {
                // Its complaint about a stdin that is no terminal says nothing about the BMC.
                if (e.Data is { Length: > 0 } line && !line.StartsWith("tcgetattr", StringComparison.Ordinal)) _lastError = line;
            };
            process.BeginErrorReadLine();
        }

        public static SolSource Start(HostEntry host, string siteFile)
        {
            var power = host.Power!;
            var errors = new List<SiteError>();
            var secrets = PowerSecrets.Load(PowerSecrets.PathFor(siteFile), errors) ?? throw new IOException(string.Join("; ", errors));
            if (!secrets.TryGetValue(host.Name, out var account)) throw new IOException($"no account for host {host.Name} in {PowerSecrets.PathFor(siteFile)}");
            var psi = new ProcessStartInfo("ipmitool")
            {
                UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            };
            foreach (var a in (string[])["-I", "lanplus", "-H", power.BmcAddress!, "-p", power.BmcPort.ToString(CultureInfo.InvariantCulture),
                         "-C", power.CipherSuite.ToString(CultureInfo.InvariantCulture), "-U", account.Username, "-E", "sol", "activate"])
                psi.ArgumentList.Add(a);
            psi.Environment["IPMI_PASSWORD"] = account.Password;
            try
            {
                return new SolSource(Process.Start(psi)!);
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new IOException($"cannot run ipmitool: {e.Message} (is it installed? apt install ipmitool)", e);
            }
        }

        public override int Read(Span<byte> buffer)
        {
            _pending ??= _output.ReadAsync(_buffer, 0, Math.Min(_buffer.Length, buffer.Length));
            if (!_pending.Wait(TimeSpan.FromMilliseconds(500))) return 0;
            var n = _pending.Result;
            _pending = null;
            if (n == 0) return -1;
            _buffer.AsSpan(0, n).CopyTo(buffer);
            return n;
        }

        public override string EndReason
        {
            get
            {
                _process.WaitForExit(2000);
                return $"ipmitool's session ended{(_lastError is { } e ? $": {e}" : "")}";
            }
        }

        public override void Dispose()
        {
            try
            {
                if (!_process.HasExited) _process.Kill(entireProcessTree: true);
                _process.WaitForExit(2000);
            }
            catch (InvalidOperationException)
            {
                // Never started or already reaped.
            }
            _process.Dispose();
        }
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
