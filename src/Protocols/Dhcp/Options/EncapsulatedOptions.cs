namespace NetbootPi.Protocols.Dhcp.Options;

/// <summary>
/// Sub-options inside an option value (43 vendor-specific, RFC 2132 §8.4; 82 relay information, RFC 3046 §2.0;
/// 175 iPXE): code, length, data, no PAD/END requirement. Reading is bounded and never throws.
/// </summary>
public static class EncapsulatedOptions
{
    /// <summary>True when <paramref name="value"/> is a well-formed sequence of sub-options (PAD 0 and END 255 allowed).</summary>
    public static bool IsWellFormed(ReadOnlySpan<byte> value)
    {
        var i = 0;
        while (i < value.Length)
        {
            var code = value[i];
            if (code == 255) return true;
            if (code == 0)
            {
                i++;
                continue;
            }
            if (i + 1 >= value.Length || i + 2 + value[i + 1] > value.Length) return false;
            i += 2 + value[i + 1];
        }
        return true;
    }

    /// <summary>Finds the first sub-option <paramref name="code"/>; false when absent or the framing is broken before it.</summary>
    public static bool TryGet(ReadOnlySpan<byte> value, byte code, out ReadOnlySpan<byte> subOption)
    {
        subOption = default;
        var i = 0;
        while (i < value.Length)
        {
            var c = value[i];
            if (c == 255) return false;
            if (c == 0)
            {
                i++;
                continue;
            }
            if (i + 1 >= value.Length || i + 2 + value[i + 1] > value.Length) return false;
            if (c == code)
            {
                subOption = value.Slice(i + 2, value[i + 1]);
                return true;
            }
            i += 2 + value[i + 1];
        }
        return false;
    }

    /// <summary>Writes one sub-option at <paramref name="at"/> and returns the position after it.</summary>
    public static int Write(Span<byte> destination, int at, byte code, ReadOnlySpan<byte> data)
    {
        if (data.Length > 255) throw new ArgumentException("a sub-option holds at most 255 bytes", nameof(data));
        destination[at] = code;
        destination[at + 1] = (byte)data.Length;
        data.CopyTo(destination[(at + 2)..]);
        return at + 2 + data.Length;
    }
}
