namespace NetbootPi.Protocols.Tftp;

/// <summary>TFTP packet types: RFC 1350 section 5, plus OACK from RFC 2347.</summary>
public enum TftpOpcode : ushort
{
    ReadRequest = 1,
    WriteRequest = 2,
    Data = 3,
    Ack = 4,
    Error = 5,
    OptionAck = 6,
}
