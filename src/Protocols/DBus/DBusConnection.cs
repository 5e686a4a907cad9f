using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net.Sockets;

namespace NetbootPi.Protocols.DBus;

/// <summary>
/// One authenticated connection to a message bus (or a direct peer): method calls matched to their replies,
/// signals routed to subscribers, incoming method calls routed to registered objects.
/// </summary>
/// <remarks>
/// A connection that fails (the peer closes it, or sends bytes that break the protocol) stays failed: every
/// waiting call fails with <see cref="DBusConnectionException"/>, <see cref="Completion"/> completes, and the
/// owner connects a new one. Signal and method handlers run on the receive loop, one at a time: they must not
/// block or wait for another reply on this connection, and must not keep the message after returning.
/// </remarks>
public sealed partial class DBusConnection : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly DBusConnectionOptions _options;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<DBusMessage>> _pending = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _registrationLock = new();
    private ImmutableArray<SignalSubscription> _subscriptions = [];
    private ImmutableDictionary<string, Action<DBusMessage>> _objects = ImmutableDictionary<string, Action<DBusMessage>>.Empty;
    private Task _receiveLoop = Task.CompletedTask;
    private Exception? _failure;
    private int _serial;

    private DBusConnection(Stream stream, string description, DBusConnectionOptions options)
    {
        _stream = stream;
        Description = description;
        _options = options;
    }

    /// <summary>What this connection is connected to, for messages.</summary>
    public string Description { get; }

    /// <summary>The unique name the bus gave this connection (":1.42"); null on a peer-to-peer connection.</summary>
    public string? UniqueName { get; private set; }

    /// <summary>The server's GUID from authentication.</summary>
    public string ServerGuid { get; private set; } = "";

    /// <summary>True until the connection fails or is disposed.</summary>
    public bool IsConnected => _failure is null;

    /// <summary>Completes when the connection has closed; faulted with the reason when it failed.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Connects a unix socket, authenticates, and (on a bus) says <c>Hello</c>.</summary>
    public static async Task<DBusConnection> ConnectAsync(DBusAddress address, DBusConnectionOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(address.ToEndPoint(), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new DBusConnectionException($"cannot connect to D-Bus at {address}: {e.Message}", e);
        }
        return await ConnectAsync(new NetworkStream(socket, ownsSocket: true), address.ToString(), options, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the protocol over an already connected stream (which the connection then owns): authentication,
    /// <c>Hello</c> when the peer is a bus, then the receive loop.
    /// </summary>
    public static async Task<DBusConnection> ConnectAsync(Stream stream, string description, DBusConnectionOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var connection = new DBusConnection(stream, description, options ?? new DBusConnectionOptions());
        try
        {
            var (guid, leftover) = await connection.AuthenticateAsync(cancellationToken).ConfigureAwait(false);
            connection.ServerGuid = guid;
            connection._receiveLoop = connection.ReceiveLoopAsync(leftover);
            if (connection._options.IsMessageBus)
                connection.UniqueName = await connection.HelloAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Sends a method call and waits for its reply, which the caller disposes. An ERROR reply throws
    /// <see cref="DBusErrorException"/>; no reply within the timeout throws <see cref="TimeoutException"/>.
    /// The connection takes ownership of <paramref name="call"/>.
    /// </summary>
    public async Task<DBusMessage> CallAsync(MessageBuffer call, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (call.Type != DBusMessageType.MethodCall || (call.Flags & DBusMessageFlags.NoReplyExpected) != 0)
        {
            call.Dispose();
            throw new ArgumentException("CallAsync needs a method call that expects a reply; use SendAsync otherwise", nameof(call));
        }
        string what = call.Description;
        var reply = new TaskCompletionSource<DBusMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        uint serial = await SendCoreAsync(call, reply, cancellationToken).ConfigureAwait(false);
        var limit = timeout ?? _options.CallTimeout;
        DBusMessage message;
        try
        {
            message = await reply.Task.WaitAsync(limit, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            _pending.TryRemove(serial, out _);
            if (reply.Task.IsCompletedSuccessfully) reply.Task.Result.Dispose();
            if (e is TimeoutException)
                throw new TimeoutException($"no reply to {what} from {Description} within {limit.TotalSeconds:0.###} s");
            throw;
        }
        if (message.Type == DBusMessageType.Error)
        {
            var error = new DBusErrorException(message.ErrorName ?? "", message.ReadErrorMessage(), what);
            message.Dispose();
            throw error;
        }
        return message;
    }

    /// <summary>Sends a message that expects no reply (a signal, a reply, a no-reply call); takes ownership of it.</summary>
    public async ValueTask SendAsync(MessageBuffer message, CancellationToken cancellationToken = default) =>
        await SendCoreAsync(message, null, cancellationToken).ConfigureAwait(false);

    private async ValueTask<uint> SendCoreAsync(MessageBuffer message, TaskCompletionSource<DBusMessage>? reply,
        CancellationToken cancellationToken)
    {
        using (message)
        {
            ThrowIfFailed();
            await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            uint serial = 0;
            try
            {
                ThrowIfFailed();
                serial = unchecked((uint)Interlocked.Increment(ref _serial));
                if (serial == 0) serial = unchecked((uint)Interlocked.Increment(ref _serial)); // 0 is not a valid serial
                message.SetSerial(serial);
                if (reply is not null)
                {
                    _pending[serial] = reply;
                    // Fail() may have swept the pending calls between the check above and this registration.
                    if (_failure is not null && _pending.TryRemove(serial, out _)) ThrowIfFailed();
                }
                // Not cancellable by the caller: a write abandoned half-way would leave the stream unframed.
                await _stream.WriteAsync(message.Memory, _closing.Token).ConfigureAwait(false);
                await _stream.FlushAsync(_closing.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Only the connection's own closing cancels inside here; the caller's token is not passed in.
                if (serial != 0) _pending.TryRemove(serial, out _);
                Fail(new DBusConnectionException($"sending to {Description} failed: {e.Message}", e));
                ThrowIfFailed();
                throw;
            }
            finally
            {
                _sendLock.Release();
            }
            // The reply may already have been failed by Fail() racing with the send; it is in the task then.
            return serial;
        }
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure)
            throw new DBusConnectionException($"the D-Bus connection to {Description} is closed: {failure.Message}", failure);
    }

    /// <summary>Closes the connection; waiting calls fail with <see cref="DBusConnectionException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        Fail(new ObjectDisposedException(nameof(DBusConnection), "the connection was disposed"));
        try
        {
            await _receiveLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _closing.Dispose();
    }

    // First failure wins: it closes the stream, fails every waiting call and completes Completion.
    private void Fail(Exception reason)
    {
        if (Interlocked.CompareExchange(ref _failure, reason, null) is not null) return;
        try
        {
            _closing.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
        _stream.Dispose();
        foreach (var serial in _pending.Keys)
        {
            if (_pending.TryRemove(serial, out var reply))
                reply.TrySetException(new DBusConnectionException($"the D-Bus connection to {Description} closed: {reason.Message}", reason));
        }
        if (reason is ObjectDisposedException) _completion.TrySetResult();
        else _completion.TrySetException(reason);
    }
}
