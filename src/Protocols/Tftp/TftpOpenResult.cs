namespace NetbootPi.Protocols.Tftp;

/// <summary>
/// A file to serve — a readable, seekable stream positioned at its start, owned by the server from then on — or
/// the ERROR to answer with, plus a detail for the log that the client does not see.
/// </summary>
public readonly struct TftpOpenResult
{
    private TftpOpenResult(Stream? stream, TftpErrorCode code, string message, string logDetail)
    {
        Stream = stream;
        ErrorCode = code;
        ErrorMessage = message;
        LogDetail = logDetail;
    }

    /// <summary>The content to send; null when the request is refused.</summary>
    public Stream? Stream { get; }

    public TftpErrorCode ErrorCode { get; }

    /// <summary>Sent to the client in the ERROR packet.</summary>
    public string ErrorMessage { get; }

    /// <summary>Why, for the server log only (for example which symlink pointed out of the root).</summary>
    public string LogDetail { get; }

    public bool IsSuccess => Stream is not null;

    /// <summary>Serve <paramref name="stream"/>; it must be readable and seekable (retransmissions go back a window).</summary>
    public static TftpOpenResult Success(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead || !stream.CanSeek) throw new ArgumentException("a TFTP source must be readable and seekable", nameof(stream));
        return new(stream, TftpErrorCode.NotDefined, "", "");
    }

    /// <summary>Serve bytes produced for this request (a rendered template, for example).</summary>
    public static TftpOpenResult FromBytes(byte[] content) => Success(new MemoryStream(content, writable: false));

    public static TftpOpenResult NotFound(string logDetail) => new(null, TftpErrorCode.FileNotFound, "File not found", logDetail);

    /// <summary>ERROR 2, for anything outside what may be served (RFC 1350: access violation).</summary>
    public static TftpOpenResult AccessViolation(string logDetail) =>
        new(null, TftpErrorCode.AccessViolation, "Access violation", logDetail);

    public static TftpOpenResult Error(TftpErrorCode code, string message, string logDetail) => new(null, code, message, logDetail);
}
