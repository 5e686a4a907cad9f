using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;

namespace NetbootPi.Agent.Http;

/// <summary>
/// One reusable socket operation awaited without allocating: a send of pipe buffers (one or a gathered list)
/// or a <c>SendPacketsAsync</c> of a file range, which the runtime performs with sendfile(2) and its own
/// epoll wait. One operation at a time; <see cref="SocketOutput"/> owns one per connection.
/// </summary>
internal sealed class SocketSendArgs : SocketAsyncEventArgs, IValueTaskSource<int>
{
    private readonly List<ArraySegment<byte>> _segments = [];
    private ManualResetValueTaskSourceCore<int> _source; // continuations run where the runtime completes: the thread pool

    public SocketSendArgs() : base(unsafeSuppressExecutionContextFlow: true) { }

    /// <summary>Sends all of <paramref name="buffer"/>, gathering its segments into one sendmsg.</summary>
    public ValueTask<int> SendAsync(Socket socket, in ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsSingleSegment)
        {
            if (BufferList is not null) BufferList = null;
            SetBuffer(MemoryMarshal.AsMemory(buffer.First));
        }
        else
        {
            if (Buffer is not null || MemoryBuffer.Length > 0) SetBuffer(null, 0, 0);
            _segments.Clear();
            foreach (var segment in buffer)
            {
                // Pipe segments come from MemoryPool<byte>.Shared, which hands out arrays.
                if (!MemoryMarshal.TryGetArray(segment, out var array))
                    throw new InvalidOperationException("a pipe segment is not backed by an array");
                _segments.Add(array);
            }
            BufferList = _segments;
        }
        return Start(socket.SendAsync(this));
    }

    /// <summary>Sends <paramref name="count"/> bytes of <paramref name="file"/> from <paramref name="offset"/> without copying them through user space.</summary>
    public ValueTask<int> SendFileAsync(Socket socket, FileStream file, long offset, int count)
    {
        if (BufferList is not null) BufferList = null;
        if (Buffer is not null || MemoryBuffer.Length > 0) SetBuffer(null, 0, 0);
        SendPacketsElements = [new SendPacketsElement(file, offset, count)];
        return Start(socket.SendPacketsAsync(this));
    }

    private ValueTask<int> Start(bool pending)
    {
        if (pending) return new ValueTask<int>(this, _source.Version);
        return SocketError == SocketError.Success
            ? new ValueTask<int>(BytesTransferred)
            : ValueTask.FromException<int>(new SocketException((int)SocketError));
    }

    protected override void OnCompleted(SocketAsyncEventArgs e)
    {
        if (SocketError == SocketError.Success) _source.SetResult(BytesTransferred);
        else _source.SetException(new SocketException((int)SocketError));
    }

    int IValueTaskSource<int>.GetResult(short token)
    {
        try
        {
            return _source.GetResult(token);
        }
        finally
        {
            _source.Reset();
        }
    }

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _source.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _source.OnCompleted(continuation, state, token, flags);
}
