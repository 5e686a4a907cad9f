namespace NetbootPi.Protocols.Tests.DBus;

/// <summary>Byte vectors written one annotated field per line: "6c 01 00 01 // what these bytes are".</summary>
internal static class Hex
{
    public static byte[] Bytes(params string[] lines)
    {
        var bytes = new List<byte>();
        foreach (var line in lines)
        {
            int comment = line.IndexOf("//", StringComparison.Ordinal);
            var data = comment >= 0 ? line[..comment] : line;
            foreach (var token in data.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                bytes.Add(Convert.ToByte(token, 16));
        }
        return bytes.ToArray();
    }

    /// <summary>The bytes of ASCII text as hex tokens, for use inside <see cref="Bytes"/> lines.</summary>
    public static string Of(string ascii) => string.Join(' ', System.Text.Encoding.ASCII.GetBytes(ascii).Select(b => b.ToString("x2")));

    public static string Format(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
