namespace NetbootPi.Protocols.Dns;

/// <summary>Why a received message was not accepted. The server answers FORMERR when it could read a query's header, else drops it.</summary>
public enum DnsParseError
{
    None = 0,
    /// <summary>Shorter than the 12-byte header.</summary>
    TooShort,
    /// <summary>A name, record or field runs past the end of the message: a count promises more than is there.</summary>
    Overrun,
    /// <summary>A label longer than 63 bytes (RFC 1035 §2.3.4), or a label type other than a length or a pointer.</summary>
    BadLabel,
    /// <summary>A name longer than 255 bytes on the wire (RFC 1035 §2.3.4).</summary>
    NameTooLong,
    /// <summary>A compression pointer that does not point strictly before the previous one: it could loop (RFC 1035 §4.1.4).</summary>
    CompressionLoop,
    /// <summary>The record data of a known type does not have that type's shape (an A record that is not 4 bytes).</summary>
    BadRecordData,
    /// <summary>Bytes after the last record the counts announce.</summary>
    TrailingData,
    /// <summary>A query with a question count other than one.</summary>
    BadQuestionCount,
    /// <summary>Two OPT records, or one that is not in the additional section or not owned by the root (RFC 6891 §6.1.1).</summary>
    BadOpt,
    /// <summary>A message whose QR bit says the opposite of what was expected (a response where a query belongs).</summary>
    WrongDirection,
}
