using System.Buffers;

namespace NetbootPi.Protocols.DBus;

public sealed partial class DBusConnection
{
    private const int InitialReceiveBuffer = 64 * 1024;

    private async Task ReceiveLoopAsync(ArraySegment<byte> leftover)
    {
        await Task.Yield(); // the caller goes on to Hello while the loop runs
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(InitialReceiveBuffer, leftover.Count));
        leftover.AsSpan().CopyTo(buffer);
        int start = 0, end = leftover.Count;
        try
        {
            while (true)
            {
                var frame = MessageFraming.Frame(buffer.AsSpan(start, end - start));
                if (frame.Status == FrameStatus.Complete)
                {
                    var error = DBusMessage.TryParse(buffer.AsSpan(start, frame.Length), out var message);
                    if (error != MessageError.None)
                        throw new DBusProtocolException($"{Description} sent a malformed message", error);
                    start += frame.Length;
                    Dispatch(message!);
                    continue;
                }
                if (frame.Status == FrameStatus.Malformed)
                    throw new DBusProtocolException($"{Description} sent bytes that are not a D-Bus message", frame.Error);

                // Need more. The buffer grows by doubling as bytes arrive, so a peer announcing a large message
                // cannot make us reserve more than about twice what it actually sent.
                int needed = Math.Max(frame.Length, MessageFraming.FixedHeaderLength);
                if (start == end)
                {
                    start = end = 0;
                    if (buffer.Length > 4 * InitialReceiveBuffer) buffer = Replace(buffer, InitialReceiveBuffer, 0, 0);
                }
                if (start > 0 && start + needed > buffer.Length)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    end -= start;
                    start = 0;
                }
                if (end == buffer.Length) buffer = Replace(buffer, Math.Min(needed, buffer.Length * 2), start, end);
                int read = await _stream.ReadAsync(buffer.AsMemory(end), _closing.Token).ConfigureAwait(false);
                if (read == 0) throw new DBusConnectionException($"{Description} closed the connection");
                end += read;
            }
        }
        catch (Exception e)
        {
            // Whatever ends the loop (the peer, a protocol error, a handler's bug) ends the connection, and the
            // reason reaches every waiting call and Completion rather than a lost task.
            Fail(e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static byte[] Replace(byte[] buffer, int size, int start, int end)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        buffer.AsSpan(start, end - start).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        return bigger;
    }

    private void Dispatch(DBusMessage message)
    {
        switch (message.Type)
        {
            case DBusMessageType.MethodReturn or DBusMessageType.Error:
                if (_pending.TryRemove(message.ReplySerial, out var reply) && reply.TrySetResult(message)) return;
                break;
            case DBusMessageType.Signal:
                foreach (var subscription in _subscriptions)
                {
                    if (subscription.Rule.Matches(message)) subscription.Handler(message);
                }
                break;
            case DBusMessageType.MethodCall:
                DispatchCall(message);
                break;
            // "Unknown types must be ignored" (Message Types).
        }
        message.Dispose();
    }

    private void DispatchCall(DBusMessage call)
    {
        bool wantsReply = (call.Flags & DBusMessageFlags.NoReplyExpected) == 0;
        if (call.Interface == "org.freedesktop.DBus.Peer" && call.Member == "Ping")
        {
            // Every object implements org.freedesktop.DBus.Peer ("Standard Interfaces").
            if (wantsReply) Reply(MessageWriter.CreateMethodReturn(call).CreateMessage());
            return;
        }
        if (call.Path is not null && _objects.TryGetValue(call.Path, out var handler))
        {
            handler(call);
            return;
        }
        if (wantsReply)
            Reply(MessageWriter.CreateError(call, "org.freedesktop.DBus.Error.UnknownObject", $"no object at {call.Path}"));
    }

    // Replies sent from the receive loop are not awaited: a failure to send also fails the connection.
    private void Reply(MessageBuffer message) =>
        _ = SendAsync(message).AsTask().ContinueWith(static t => _ = t.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
