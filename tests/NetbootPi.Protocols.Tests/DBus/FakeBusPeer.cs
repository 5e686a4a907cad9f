using System.Globalization;
using System.Text;
using Nerdbank.Streams;
using NetbootPi.Protocols.DBus;

namespace NetbootPi.Protocols.Tests.DBus;

/// <summary>
/// The server end of an in-memory connection: speaks SASL and the message stream by hand (using only the wire
/// format types), so tests can script exactly what a bus sends, including broken bytes.
/// </summary>
internal sealed class FakeBusPeer : IAsyncDisposable
{
    public const string Guid = "0123456789abcdef0123456789abcdef";
    private readonly Stream _stream;
    private byte[] _buffer = new byte[4096];
    private int _count;
    private uint _serial = 1000;

    private FakeBusPeer(Stream stream) => _stream = stream;

    public string? AuthLine { get; private set; }

    /// <summary>Connects a client to a new peer that authenticates it and answers Hello with ":1.7".</summary>
    public static async Task<(DBusConnection Client, FakeBusPeer Peer)> ConnectAsync(DBusConnectionOptions? options = null)
    {
        var (clientStream, serverStream) = FullDuplexStream.CreatePair();
        var peer = new FakeBusPeer(serverStream);
        var connecting = DBusConnection.ConnectAsync(clientStream, "fake bus", options);
        await peer.AcceptAsync();
        if (options?.IsMessageBus != false)
        {
            using var hello = await peer.ReceiveAsync();
            Assert.Equal(("org.freedesktop.DBus", "Hello"), (hello.Interface, hello.Member));
            var reply = MessageWriter.CreateMethodReturn(hello, "s");
            reply.WriteString(":1.7");
            await peer.SendAsync(reply.CreateMessage());
        }
        return (await connecting, peer);
    }

    public static (Stream Client, FakeBusPeer Peer) CreateUnconnected()
    {
        var (clientStream, serverStream) = FullDuplexStream.CreatePair();
        return (clientStream, new FakeBusPeer(serverStream));
    }

    /// <summary>Reads "\0AUTH EXTERNAL hex(uid)" and BEGIN, answering OK (or <paramref name="answer"/>).</summary>
    public async Task AcceptAsync(string answer = "OK " + Guid)
    {
        var nul = await ReadBytesAsync(1);
        Assert.Equal(0, nul[0]);
        AuthLine = await ReadLineAsync();
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(answer + "\r\n"));
        await _stream.FlushAsync();
        if (answer.StartsWith("OK ", StringComparison.Ordinal)) Assert.Equal("BEGIN", await ReadLineAsync());
    }

    /// <summary>The next message from the client; fails the test if it is malformed.</summary>
    public async Task<DBusMessage> ReceiveAsync()
    {
        while (true)
        {
            var frame = MessageFraming.Frame(_buffer.AsSpan(0, _count));
            if (frame.Status == FrameStatus.Complete)
            {
                Assert.Equal(MessageError.None, DBusMessage.TryParse(_buffer.AsSpan(0, frame.Length), out var message));
                Consume(frame.Length);
                return message!;
            }
            Assert.Equal(FrameStatus.NeedMore, frame.Status);
            await FillAsync(Math.Max(frame.Length, 16));
        }
    }

    /// <summary>Sends a message with the next serial of this peer.</summary>
    public async Task<uint> SendAsync(MessageBuffer message)
    {
        using (message)
        {
            uint serial = ++_serial;
            message.SetSerial(serial);
            await SendRawAsync(message.Memory.ToArray());
            return serial;
        }
    }

    public async Task SendRawAsync(byte[] bytes, bool oneByteAtATime = false)
    {
        if (oneByteAtATime)
        {
            for (int i = 0; i < bytes.Length; i++)
            {
                await _stream.WriteAsync(bytes.AsMemory(i, 1));
                await _stream.FlushAsync();
            }
        }
        else
        {
            await _stream.WriteAsync(bytes);
            await _stream.FlushAsync();
        }
    }

    /// <summary>The reply to <paramref name="call"/> with one string in its body.</summary>
    public Task<uint> ReplyAsync(DBusMessage call, string text)
    {
        var reply = MessageWriter.CreateMethodReturn(call, "s");
        reply.WriteString(text);
        return SendAsync(reply.CreateMessage());
    }

    public static string ExpectedAuthLine =>
        "AUTH EXTERNAL " + Convert.ToHexStringLower(Encoding.ASCII.GetBytes(GetUid().ToString(CultureInfo.InvariantCulture)));

    private static uint GetUid()
    {
        // /proc/self/status "Uid: real effective saved fs": the effective one is what the client sends.
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        return uint.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[2], CultureInfo.InvariantCulture);
    }

    public ValueTask DisposeAsync() => _stream.DisposeAsync();

    private async Task<string> ReadLineAsync()
    {
        while (true)
        {
            int end = _buffer.AsSpan(0, _count).IndexOf("\r\n"u8);
            if (end >= 0)
            {
                string line = Encoding.ASCII.GetString(_buffer, 0, end);
                Consume(end + 2);
                return line;
            }
            await FillAsync(_count + 1);
        }
    }

    private async Task<byte[]> ReadBytesAsync(int n)
    {
        await FillAsync(n);
        var bytes = _buffer[..n];
        Consume(n);
        return bytes;
    }

    private async Task FillAsync(int atLeast)
    {
        if (atLeast > _buffer.Length) Array.Resize(ref _buffer, atLeast);
        while (_count < atLeast)
        {
            int read = await _stream.ReadAsync(_buffer.AsMemory(_count));
            if (read == 0) throw new EndOfStreamException("the client closed the connection");
            _count += read;
        }
    }

    private void Consume(int n)
    {
        _buffer.AsSpan(n, _count - n).CopyTo(_buffer);
        _count -= n;
    }
}
