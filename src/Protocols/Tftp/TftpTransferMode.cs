namespace NetbootPi.Protocols.Tftp;

/// <summary>The transfer modes this server serves (RFC 1350 section 1); "mail" is obsolete and refused.</summary>
public enum TftpTransferMode
{
    Octet,
    NetAscii,
}
