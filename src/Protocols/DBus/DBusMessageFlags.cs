namespace NetbootPi.Protocols.DBus;

/// <summary>The header flags byte (specification, "Message Format").</summary>
[Flags]
public enum DBusMessageFlags : byte
{
    /// <summary>No flags.</summary>
    None = 0,
    /// <summary>The caller does not want a reply.</summary>
    NoReplyExpected = 0x1,
    /// <summary>The bus must not start a service to deliver this message.</summary>
    NoAutoStart = 0x2,
    /// <summary>The caller is prepared to wait for interactive authorization (polkit).</summary>
    AllowInteractiveAuthorization = 0x4,
}
