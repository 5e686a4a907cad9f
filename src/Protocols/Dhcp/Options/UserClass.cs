namespace NetbootPi.Protocols.Dhcp.Options;

/// <summary>
/// Option 77. RFC 3004 §4 defines a list of length-prefixed class names; iPXE (and some older clients)
/// send one plain string instead. A value is read as RFC 3004 only when the length prefixes tile it exactly.
/// </summary>
public static class UserClass
{
    public static ReadOnlySpan<byte> Ipxe => "iPXE"u8;

    /// <summary>True when the value is a well-formed RFC 3004 list (every class at least one byte).</summary>
    public static bool IsRfc3004List(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty) return false;
        var i = 0;
        while (i < value.Length)
        {
            var len = value[i];
            if (len == 0 || i + 1 + len > value.Length) return false;
            i += 1 + len;
        }
        return true;
    }

    /// <summary>True when <paramref name="name"/> is one of the classes, in either encoding.</summary>
    public static bool Contains(ReadOnlySpan<byte> value, ReadOnlySpan<byte> name)
    {
        if (!IsRfc3004List(value)) return value.TrimEnd((byte)0).SequenceEqual(name);
        var i = 0;
        while (i < value.Length)
        {
            var len = value[i];
            if (value.Slice(i + 1, len).SequenceEqual(name)) return true;
            i += 1 + len;
        }
        return false;
    }

    public static bool Contains(DhcpOptionSet options, ReadOnlySpan<byte> name) =>
        options.TryGet(DhcpOptionCode.UserClass, out var v) && Contains(v, name);
}
