namespace NetbootPi.Protocols.DBus;

/// <summary>Flags of <c>org.freedesktop.DBus.RequestName</c>.</summary>
[Flags]
public enum RequestNameFlags : uint
{
    None = 0,
    AllowReplacement = 0x1,
    ReplaceExisting = 0x2,
    DoNotQueue = 0x4,
}
