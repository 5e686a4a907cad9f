using System.Buffers;
using System.Globalization;
using System.Text;

namespace NetbootPi.Protocols.DBus;

public sealed partial class DBusConnection
{
    private const int MaxAuthLineLength = 16 * 1024;

    // SASL EXTERNAL ("Authentication Protocol"): a nul byte, AUTH EXTERNAL with the uid as hex-encoded ASCII
    // decimal, BEGIN, and the server's "OK <guid>". BEGIN goes with AUTH, before the OK, as sd-bus clients send
    // it: systemd's own server (the private socket) leaves a first message that arrives in the same read as BEGIN
    // unprocessed until more bytes come. If the server rejects the AUTH, the BEGIN is moot and we fail anyway.
    // Returns bytes read past the OK line (the start of the message stream).
    private async Task<(string Guid, ArraySegment<byte> Leftover)> AuthenticateAsync(CancellationToken cancellationToken)
    {
        string uidHex = Convert.ToHexStringLower(Encoding.ASCII.GetBytes(UnixUser.EffectiveUid.ToString(CultureInfo.InvariantCulture)));
        await _stream.WriteAsync(Encoding.ASCII.GetBytes($"\0AUTH EXTERNAL {uidHex}\r\nBEGIN\r\n"), cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);

        var buffer = ArrayPool<byte>.Shared.Rent(512);
        try
        {
            int count = 0;
            while (true)
            {
                int lineEnd = buffer.AsSpan(0, count).IndexOf("\r\n"u8);
                if (lineEnd >= 0)
                {
                    string line = Encoding.ASCII.GetString(buffer, 0, lineEnd);
                    if (!line.StartsWith("OK ", StringComparison.Ordinal))
                        throw new DBusConnectionException($"D-Bus authentication with {Description} failed: the server answered '{line}'");
                    int rest = count - (lineEnd + 2);
                    return (line[3..].Trim(), new ArraySegment<byte>(buffer.AsSpan(lineEnd + 2, rest).ToArray()));
                }
                if (count == buffer.Length)
                {
                    if (count >= MaxAuthLineLength)
                        throw new DBusConnectionException($"D-Bus authentication with {Description} failed: no line end in {count} bytes");
                    var bigger = ArrayPool<byte>.Shared.Rent(count * 2);
                    buffer.AsSpan(0, count).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                int read = await _stream.ReadAsync(buffer.AsMemory(count), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                    throw new DBusConnectionException($"D-Bus authentication with {Description} failed: the server closed the connection");
                count += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
