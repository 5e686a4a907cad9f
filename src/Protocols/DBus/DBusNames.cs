namespace NetbootPi.Protocols.DBus;

/// <summary>The naming rules of the specification ("Valid Names", "Valid Object Paths").</summary>
internal static class DBusNames
{
    // "/" or "/" followed by one or more elements of [A-Za-z0-9_], separated by '/', no trailing '/'.
    public static bool IsValidObjectPath(ReadOnlySpan<byte> path)
    {
        if (path.IsEmpty || path[0] != '/') return false;
        if (path.Length == 1) return true;
        if (path[^1] == '/') return false;
        bool previousSlash = true;
        for (int i = 1; i < path.Length; i++)
        {
            byte c = path[i];
            if (c == '/')
            {
                if (previousSlash) return false;
                previousSlash = true;
            }
            else if (IsWordChar(c)) previousSlash = false;
            else return false;
        }
        return true;
    }

    public static bool IsValidObjectPath(string path) => IsValidObjectPath(Ascii(path));

    // Interface and error names: two or more '.'-separated elements of [A-Za-z_][A-Za-z0-9_]*, at most 255 bytes.
    public static bool IsValidInterfaceName(ReadOnlySpan<byte> name) => IsDotted(name, allowHyphen: false, allowDigitFirst: false);

    // Member names: one element of [A-Za-z_][A-Za-z0-9_]*, at most 255 bytes.
    public static bool IsValidMemberName(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || name.Length > DBusLimits.MaxNameLength || IsDigit(name[0])) return false;
        foreach (byte c in name)
            if (!IsWordChar(c)) return false;
        return true;
    }

    // Unique names ":a.b" may have elements starting with a digit; well-known names may not; both allow '-'.
    public static bool IsValidBusName(ReadOnlySpan<byte> name)
    {
        if (name.Length > DBusLimits.MaxNameLength) return false;
        if (!name.IsEmpty && name[0] == ':') return IsDotted(name[1..], allowHyphen: true, allowDigitFirst: true);
        return IsDotted(name, allowHyphen: true, allowDigitFirst: false);
    }

    public static bool IsValidInterfaceName(string name) => IsValidInterfaceName(Ascii(name));
    public static bool IsValidMemberName(string name) => IsValidMemberName(Ascii(name));
    public static bool IsValidBusName(string name) => IsValidBusName(Ascii(name));

    private static bool IsDotted(ReadOnlySpan<byte> name, bool allowHyphen, bool allowDigitFirst)
    {
        if (name.IsEmpty || name.Length > DBusLimits.MaxNameLength) return false;
        int elements = 0;
        int elementLength = 0;
        foreach (byte c in name)
        {
            if (c == '.')
            {
                if (elementLength == 0) return false;
                elements++;
                elementLength = 0;
                continue;
            }
            bool ok = IsWordChar(c) || (allowHyphen && c == '-');
            if (!ok || (elementLength == 0 && !allowDigitFirst && IsDigit(c))) return false;
            elementLength++;
        }
        if (elementLength == 0) return false;
        return elements + 1 >= 2;
    }

    private static bool IsDigit(byte c) => c is >= (byte)'0' and <= (byte)'9';

    private static bool IsWordChar(byte c) =>
        c is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'_';

    // Non-ASCII characters are never valid in names; mapping them to 0xff makes them fail the checks above.
    private static ReadOnlySpan<byte> Ascii(string s)
    {
        var bytes = new byte[s.Length];
        for (int i = 0; i < s.Length; i++) bytes[i] = s[i] < 0x80 ? (byte)s[i] : (byte)0xff;
        return bytes;
    }
}
