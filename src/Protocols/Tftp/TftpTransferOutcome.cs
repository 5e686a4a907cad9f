namespace NetbootPi.Protocols.Tftp;

/// <summary>How a transfer ended, or that it has not yet.</summary>
public enum TftpTransferOutcome
{
    InProgress,
    /// <summary>The client acknowledged the last block.</summary>
    Completed,
    /// <summary>The client sent an ERROR packet (RFC 1350 section 7: ends the transfer).</summary>
    ClientError,
    /// <summary>No progress after the allowed number of retransmissions.</summary>
    TimedOut,
    /// <summary>Reading the file failed.</summary>
    ReadFailed,
    /// <summary>The server shut down.</summary>
    Cancelled,
}
