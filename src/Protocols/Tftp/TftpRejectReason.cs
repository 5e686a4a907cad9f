namespace NetbootPi.Protocols.Tftp;

/// <summary>Why an incoming datagram was not accepted; logged, never thrown.</summary>
public enum TftpRejectReason
{
    None = 0,
    /// <summary>Fewer than the two opcode bytes.</summary>
    TooShort,
    /// <summary>An opcode outside 1..6.</summary>
    UnknownOpcode,
    /// <summary>A packet type that is not valid where it arrived (for example DATA sent to a read-only server).</summary>
    UnexpectedOpcode,
    /// <summary>The filename is not NUL-terminated inside the packet.</summary>
    UnterminatedFileName,
    /// <summary>The filename is empty.</summary>
    EmptyFileName,
    /// <summary>The filename is not valid UTF-8 (every client we serve sends ASCII).</summary>
    InvalidFileNameEncoding,
    /// <summary>The mode string is missing or not NUL-terminated.</summary>
    UnterminatedMode,
    /// <summary>A mode other than netascii or octet (compared case-insensitively, RFC 1350 section 5).</summary>
    UnsupportedMode,
    /// <summary>An option name or value is not NUL-terminated, or a name has no value (RFC 2347).</summary>
    MalformedOption,
    /// <summary>The same option appears twice.</summary>
    DuplicateOption,
    /// <summary>More options than any real client sends; bounded so that a request cannot make us allocate much.</summary>
    TooManyOptions,
    /// <summary>An ACK whose length is not exactly four bytes.</summary>
    MalformedAck,
    /// <summary>An ERROR shorter than its four header bytes or without the NUL after its message.</summary>
    MalformedError,
}
