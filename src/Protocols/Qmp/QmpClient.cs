using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace NetbootPi.Protocols.Qmp;

/// <summary>
/// A client of qemu's machine protocol (QMP, docs/interop/qmp-spec.rst) over its unix socket: JSON objects one per
/// line; the server greets, the client sends <c>qmp_capabilities</c> to leave negotiation mode, then each command
/// gets one <c>return</c> or <c>error</c> object; <c>event</c> objects may come in between and are skipped here.
/// </summary>
public sealed class QmpClient : IDisposable
{
    private readonly Socket _socket;
    private readonly StreamReader _reader;
    private readonly NetworkStream _stream;

    private QmpClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reader = new StreamReader(_stream, Encoding.UTF8);
    }

    /// <summary>Connects, reads the greeting and negotiates. A socket with no qemu behind it throws <see cref="SocketException"/>.</summary>
    public static async Task<QmpClient> ConnectAsync(string path, CancellationToken cancellation)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellation).ConfigureAwait(false);
            var client = new QmpClient(socket);
            using (var greeting = await client.ReadAsync(cancellation).ConfigureAwait(false))
            {
                if (!greeting.RootElement.TryGetProperty("QMP", out _))
                    throw new QmpException($"{path} did not greet as QMP does (is it a qemu -qmp socket, or its -monitor or -serial?)");
            }
            await client.ExecuteAsync("qmp_capabilities", cancellation).ConfigureAwait(false);
            return client;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="command"/> (no arguments) and returns its <c>return</c> value.</summary>
    public async Task<JsonElement> ExecuteAsync(string command, CancellationToken cancellation)
    {
        var line = Encoding.UTF8.GetBytes($"{{\"execute\":\"{command}\"}}\n");
        await _stream.WriteAsync(line, cancellation).ConfigureAwait(false);
        while (true)
        {
            using var reply = await ReadAsync(cancellation).ConfigureAwait(false);
            var root = reply.RootElement;
            if (root.TryGetProperty("return", out var value)) return value.Clone();
            if (root.TryGetProperty("error", out var error))
            {
                var cls = error.TryGetProperty("class", out var c) ? c.GetString() : "?";
                var desc = error.TryGetProperty("desc", out var d) ? d.GetString() : "";
                throw new QmpException($"qemu refused {command}: {cls}: {desc}");
            }
            // {"event": ...}: asynchronous, not the answer.
        }
    }

    private async Task<JsonDocument> ReadAsync(CancellationToken cancellation)
    {
        var line = await _reader.ReadLineAsync(cancellation).ConfigureAwait(false)
            ?? throw new QmpException("qemu closed its QMP socket");
        try
        {
            var doc = JsonDocument.Parse(line);
            if (doc.RootElement.ValueKind == JsonValueKind.Object) return doc;
            doc.Dispose();
        }
        catch (JsonException e)
        {
            throw new QmpException($"not a QMP message: {e.Message}", e);
        }
        throw new QmpException("not a QMP message: expected a JSON object");
    }

    public void Dispose()
    {
        _reader.Dispose();
        _stream.Dispose();
        _socket.Dispose();
    }
}
