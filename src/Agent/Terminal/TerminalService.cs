using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Os.Systemd;
using NetbootPi.Agent.Os.Users;
using NetbootPi.Agent.Render.Terminal;
using NetbootPi.Hardware.Terminal;

namespace NetbootPi.Agent.Terminal;

/// <summary>
/// The web console's terminals: each a local user's login shell in a transient unit of its own
/// (<see cref="ShellUnit"/>), on a pseudo-terminal whose master the agent holds and relays over a WebSocket. A
/// terminal ends when the shell ends (the pseudo-terminal hangs up), the WebSocket closes, the login session it was
/// opened in ends (logout, expiry, the user removed), or the agent stops; its unit is stopped then, which ends every
/// process the shell started. Each open and close is an audit event with the account, the local user and the unit.
/// </summary>
/// <remarks>
/// Over the WebSocket: binary messages are the terminal's bytes both ways; a text message from the browser is a
/// size, <c>{"cols":N,"rows":M}</c>. The close frame's reason says why the terminal ended. If the agent itself dies,
/// the kernel closes the master and the shell gets the hang-up a closed terminal gives (SIGHUP), so no shell outlives
/// its agent for long.
/// </remarks>
public sealed partial class TerminalService(ISystemdManager systemd, BootEventLog audit, TimeProvider time, ILogger<TerminalService> logger)
    : IHostedService
{
    /// <summary>The largest terminal a browser may ask for.</summary>
    public const int MaxColumns = 1000, MaxRows = 500;

    private static readonly TimeSpan StopWithin = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CloseWithin = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, Task> _open = new(StringComparer.Ordinal);

    /// <summary>The units of the terminals open now.</summary>
    public IReadOnlyCollection<string> OpenUnits => [.. _open.Keys];

    /// <summary>
    /// Runs one terminal on <paramref name="socket"/> (accepted already) for the login session of
    /// <paramref name="account"/> as local user <paramref name="user"/>, until it ends; never throws for what the shell,
    /// the browser or systemd do. <paramref name="sessionEnded"/> is cancelled when the login session ends;
    /// <paramref name="touch"/> marks the session used (each message typed) and says whether it is still live.
    /// </summary>
    public Task RunAsync(WebSocket socket, string account, UnixUsers.User user, string from, int columns, int rows, Func<bool> touch,
        CancellationToken sessionEnded, CancellationToken aborted)
    {
        var unit = ShellUnit.UnitName(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        var run = RunUnitAsync(unit, socket, account, user, from, columns, rows, touch, sessionEnded, aborted);
        _open[unit] = run;
        return run.ContinueWith(t => { _open.TryRemove(unit, out _); return t; }, TaskScheduler.Default).Unwrap();
    }

    private async Task RunUnitAsync(string unit, WebSocket socket, string account, UnixUsers.User user, string from, int columns, int rows, Func<bool> touch,
        CancellationToken sessionEnded, CancellationToken aborted)
    {
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(aborted, _stopping.Token);
        string? why = null;
        void End(string reason)
        {
            Interlocked.CompareExchange(ref why, reason, null);
            try
            {
                ending.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }
        using var stopping = _stopping.Token.Register(() => End("the agent is stopping"));
        using var loggedOut = sessionEnded.Register(() => End("the login session ended"));
        var client = $"user:{account}";
        PseudoTerminal? pty = null;
        bool requested = false, started = false;
        try
        {
            pty = PseudoTerminal.Open();
            pty.Resize(columns, rows);
            requested = true;
            var description = $"NetbootPi web terminal: {user.Name}'s shell for account {account} ({from})";
            await systemd.StartTransientUnitAsync(unit, ShellUnit.Properties(user.Name, user.Shell, pty.SlavePath, description), ending.Token).ConfigureAwait(false);
            started = true;
            LogOpened(account, from, user.Name, unit, pty.SlavePath);
            audit.Record(new BootEvent(time.GetUtcNow(), client, null, BootEventKind.Audit,
                $"terminal {unit} opened: {user.Name}'s shell on {pty.SlavePath} ({from})", 101, 0));

            var output = Task.Factory.StartNew(() => PumpOutput(pty, socket, End, ending.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            var input = PumpInputAsync(socket, pty, touch, End, ending.Token);
            // Whichever ends first ends the other: the output loop sees the cancellation within a poll's wait.
            await Task.WhenAny(output, input).ConfigureAwait(false);
            End("the browser closed the terminal");
            await output.ConfigureAwait(false);
            await CloseAsync(socket, why!).ConfigureAwait(false);
            await input.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SystemdException or OperationCanceledException)
        {
            End(e is OperationCanceledException ? "the browser closed the terminal" : e.Message);
            LogFailed(account, from, unit, why!);
            await CloseAsync(socket, started ? why! : $"the terminal did not start: {why}").ConfigureAwait(false);
        }
        finally
        {
            // Also a unit whose start was given up waiting for: systemd may have started it anyway.
            if (requested) await StopUnitAsync(unit).ConfigureAwait(false);
            pty?.Dispose();
            if (started)
            {
                LogClosed(account, unit, why ?? "");
                audit.Record(new BootEvent(time.GetUtcNow(), client, null, BootEventKind.Audit, $"terminal {unit} closed: {why} ({from})", 200, 0));
            }
            else
            {
                audit.Record(new BootEvent(time.GetUtcNow(), client, null, BootEventKind.Audit, $"terminal for {user.Name} refused: {why} ({from})", 500, 0));
            }
        }
    }

    // The one sender on the socket until the terminal ends: what the shell writes, as it comes.
    private static void PumpOutput(PseudoTerminal pty, WebSocket socket, Action<string> end, CancellationToken ending)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (!ending.IsCancellationRequested)
            {
                var n = pty.Read(buffer, 200, out var hungUp);
                if (hungUp)
                {
                    end("the shell ended");
                    return;
                }
                if (n > 0) socket.SendAsync(buffer.AsMemory(0, n), WebSocketMessageType.Binary, true, ending).AsTask().GetAwaiter().GetResult();
            }
        }
        catch (Exception e) when (e is IOException or WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            end(e is OperationCanceledException ? "the browser closed the terminal" : e.Message);
        }
    }

    private static async Task PumpInputAsync(WebSocket socket, PseudoTerminal pty, Func<bool> touch, Action<string> end, CancellationToken ending)
    {
        var buffer = new byte[16 * 1024];
        // Receives are not cancelled by the end (that would abort the socket before its close frame): the browser's
        // answer to our close frame ends them, or the abort after CloseWithin.
        try
        {
            while (true)
            {
                var message = await socket.ReceiveAsync(buffer, CancellationToken.None).ConfigureAwait(false);
                if (message.MessageType == WebSocketMessageType.Close)
                {
                    end("the browser closed the terminal");
                    return;
                }
                if (ending.IsCancellationRequested) continue;
                // Typing is using the console: it keeps the session from going idle, and an ended session ends it.
                if (!touch())
                {
                    end("the login session ended");
                    continue;
                }
                if (message.MessageType == WebSocketMessageType.Binary) pty.Write(buffer.AsSpan(0, message.Count));
                else if (message.EndOfMessage && Size(buffer.AsSpan(0, message.Count)) is { } size) pty.Resize(size.Columns, size.Rows);
            }
        }
        catch (Exception e) when (e is IOException or WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            end(e is IOException ? e.Message : "the browser closed the terminal");
        }
    }

    /// <summary>A size message, <c>{"cols":N,"rows":M}</c> within bounds; null for anything else (ignored).</summary>
    internal static (int Columns, int Rows)? Size(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            int? columns = null, rows = null;
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var value)) return null;
                if (name == "cols") columns = value;
                else if (name == "rows") rows = value;
            }
            return columns is >= 1 and <= MaxColumns && rows is >= 1 and <= MaxRows ? (columns.Value, rows.Value) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task CloseAsync(WebSocket socket, string why)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
        // A close frame's reason is at most 123 bytes of UTF-8 (RFC 6455 §5.5: a control frame's payload is 125 bytes, 2 are the code).
        var reason = why;
        while (Encoding.UTF8.GetByteCount(reason) > 123) reason = reason[..^1];
        using var within = new CancellationTokenSource(CloseWithin);
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, reason, within.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            socket.Abort();
            return;
        }
        // The browser answers with its own close frame, which ends the receive loop; one that does not is cut off.
        _ = Task.Delay(CloseWithin, CancellationToken.None).ContinueWith(_ => { if (socket.State != WebSocketState.Closed) socket.Abort(); }, TaskScheduler.Default);
    }

    private async Task StopUnitAsync(string unit)
    {
        using var within = new CancellationTokenSource(StopWithin);
        try
        {
            var state = await systemd.GetUnitStateAsync(unit, within.Token).ConfigureAwait(false);
            if (state.ActiveState == "failed") await systemd.ResetFailedUnitAsync(unit, within.Token).ConfigureAwait(false);
            else if (state.LoadState != "not-found" && state.ActiveState != "inactive") await systemd.StopUnitAsync(unit, within.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SystemdException or OperationCanceledException)
        {
            LogStopFailed(unit, e.Message);
        }
    }

    /// <summary>Logs a terminal refused before it opened: who asked (with from where) and why.</summary>
    public void Refused(string who, string why) => LogRefused(who, why);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_open.Values).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(EventId = 1500, Level = LogLevel.Warning, Message = "terminal: account {Account} ({From}) opened {Unit}, {User}'s shell on {Tty}")]
    private partial void LogOpened(string account, string from, string user, string unit, string tty);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Information, Message = "terminal: account {Account}'s {Unit} closed: {Why}")]
    private partial void LogClosed(string account, string unit, string why);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, Message = "terminal: account {Account} ({From}): {Unit} failed: {Why}")]
    private partial void LogFailed(string account, string from, string unit, string why);

    [LoggerMessage(EventId = 1504, Level = LogLevel.Warning, Message = "terminal: refused to {Who}: {Why}")]
    private partial void LogRefused(string who, string why);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Warning, Message = "terminal: cannot stop {Unit} ({Why}); systemctl stop it by hand")]
    private partial void LogStopFailed(string unit, string why);
}
