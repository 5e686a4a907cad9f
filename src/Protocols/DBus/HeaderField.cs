namespace NetbootPi.Protocols.DBus;

/// <summary>Header field codes and the type each must carry (specification, "Header Fields").</summary>
internal enum HeaderField : byte
{
    Path = 1,
    Interface = 2,
    Member = 3,
    ErrorName = 4,
    ReplySerial = 5,
    Destination = 6,
    Sender = 7,
    Signature = 8,
    UnixFds = 9,
}
