namespace NetbootPi.Protocols.DBus;

/// <summary>The answer of <c>org.freedesktop.DBus.RequestName</c>.</summary>
public enum RequestNameReply : uint
{
    PrimaryOwner = 1,
    InQueue = 2,
    Exists = 3,
    AlreadyOwner = 4,
}
