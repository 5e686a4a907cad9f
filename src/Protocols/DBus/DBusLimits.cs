namespace NetbootPi.Protocols.DBus;

/// <summary>The limits the D-Bus specification puts on what a peer may send ("Valid Signatures", "Message Format").</summary>
public static class DBusLimits
{
    /// <summary>A whole message, header and body: 2^27 bytes.</summary>
    public const int MaxMessageLength = 128 * 1024 * 1024;

    /// <summary>The byte length of one array's elements: 2^26 bytes.</summary>
    public const int MaxArrayLength = 64 * 1024 * 1024;

    /// <summary>A signature, not counting its nul: 255 bytes.</summary>
    public const int MaxSignatureLength = 255;

    /// <summary>Arrays nested in a signature.</summary>
    public const int MaxArrayDepth = 32;

    /// <summary>Structs (and dict entries) nested in a signature.</summary>
    public const int MaxStructDepth = 32;

    /// <summary>Containers of any kind, variants included, nested in a message's values.</summary>
    public const int MaxTotalDepth = 64;

    /// <summary>Bus, interface, error and member names: 255 bytes.</summary>
    public const int MaxNameLength = 255;
}
