using System.Globalization;

namespace NetbootPi.Protocols.Tftp;

/// <summary>
/// What was agreed for one transfer: the outcome of RFC 2347 negotiation against the server settings. When
/// <see cref="OptionAck"/> is empty no OACK is sent and the transfer starts with DATA block 1 (RFC 2347).
/// </summary>
internal sealed class TftpTransferParameters
{
    public const int DefaultBlockSize = 512;

    public required TftpTransferMode Mode { get; init; }
    public required int BlockSize { get; init; }
    public required int WindowSize { get; init; }
    public required TimeSpan Timeout { get; init; }
    public required int MaxRetries { get; init; }
    public required IReadOnlyList<KeyValuePair<string, string>> OptionAck { get; init; }

    /// <summary>
    /// Grants what the server supports, in the order the client asked. Unknown options and values outside their
    /// RFC ranges are left out of the OACK, which RFC 2347 allows and which makes the client fall back to defaults.
    /// tsize is not granted in netascii mode: the converted size is only known after reading the whole file, and a
    /// wrong tsize is worse than none (RFC 2349 lets the server omit it). Nor is it granted for an empty file.
    /// </summary>
    public static TftpTransferParameters Negotiate(TftpRequest request, TftpServerOptions server, long fileLength, int? mtu = null)
    {
        var maxBlockSize = server.MaxBlockSizeFor(mtu ?? server.Mtu);
        var blockSize = DefaultBlockSize;
        var windowSize = 1;
        var timeout = server.Timeout;
        var granted = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in request.Options)
        {
            switch (name)
            {
                // RFC 2348: 8..65464; the server may grant a smaller size than asked, never a larger one.
                case "blksize" when TryParseDecimal(value, out var asked) && asked >= TftpServerOptions.MinProtocolBlockSize:
                    blockSize = (int)Math.Min(Math.Min(asked, TftpServerOptions.MaxProtocolBlockSize), maxBlockSize);
                    granted.Add(new(name, blockSize.ToString(CultureInfo.InvariantCulture)));
                    break;
                // RFC 2349: in an RRQ the client sends 0 and the server answers with the size. An empty file's
                // tsize is left out: curl takes "tsize 0" in an OACK for an error (CURLE_TFTP_ILLEGAL).
                case "tsize" when request.Mode == TftpTransferMode.Octet && fileLength > 0 && TryParseDecimal(value, out _):
                    granted.Add(new(name, fileLength.ToString(CultureInfo.InvariantCulture)));
                    break;
                // RFC 2349: 1..255 seconds, accepted as asked or not at all.
                case "timeout" when TryParseDecimal(value, out var seconds) && seconds is >= 1 and <= 255:
                    timeout = TimeSpan.FromSeconds(seconds);
                    granted.Add(new(name, seconds.ToString(CultureInfo.InvariantCulture)));
                    break;
                // RFC 7440 section 4: 1..65535; the server may answer with a smaller window.
                case "windowsize" when TryParseDecimal(value, out var window) && window is >= 1 and <= 65535:
                    windowSize = (int)Math.Min(window, server.MaxWindowSize);
                    granted.Add(new(name, windowSize.ToString(CultureInfo.InvariantCulture)));
                    break;
            }
        }
        return new TftpTransferParameters
        {
            Mode = request.Mode,
            BlockSize = blockSize,
            WindowSize = windowSize,
            Timeout = timeout,
            MaxRetries = server.MaxRetries,
            OptionAck = granted,
        };
    }

    /// <summary>Plain ASCII digits only, at most 10 of them; no sign, spaces or hex.</summary>
    private static bool TryParseDecimal(string text, out long value)
    {
        value = 0;
        if (text.Length is 0 or > 10) return false;
        foreach (var c in text)
        {
            if (c is < '0' or > '9') return false;
            value = value * 10 + (c - '0');
        }
        return true;
    }
}
