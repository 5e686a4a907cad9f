namespace NetbootPi.Agent.Backup.Age;

/// <summary>
/// Bech32 (BIP 173), as age writes its keys: <c>age1...</c> recipients and <c>AGE-SECRET-KEY-1...</c> identities.
/// age uses the original checksum constant (not Bech32m) and no length limit of 90.
/// </summary>
internal static class Bech32
{
    private const string Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

    /// <summary>The human-readable part and the 8-bit data of <paramref name="text"/>; null with why when it is not Bech32.</summary>
    public static (string Hrp, byte[] Data)? Decode(string text, out string? problem)
    {
        problem = null;
        if (text.Length > 1024) return Fail(out problem, "longer than any key");
        var lower = text.ToLowerInvariant();
        if (lower != text && text.ToUpperInvariant() != text) return Fail(out problem, "mixes upper and lower case");
        var separator = lower.LastIndexOf('1');
        if (separator < 1 || separator + 7 > lower.Length) return Fail(out problem, "has no '1' separator followed by data and a checksum");
        var hrp = lower[..separator];
        var values = new byte[lower.Length - separator - 1];
        for (var i = 0; i < values.Length; i++)
        {
            var v = Charset.IndexOf(lower[separator + 1 + i], StringComparison.Ordinal);
            if (v < 0) return Fail(out problem, $"'{lower[separator + 1 + i]}' is not a Bech32 character");
            values[i] = (byte)v;
        }
        if (Polymod([.. Expand(hrp), .. values]) != 1) return Fail(out problem, "its checksum is wrong (a typo, or a truncated key)");
        if (ConvertBits(values.AsSpan(0, values.Length - 6), 5, 8, pad: false) is not { } data) return Fail(out problem, "its data is not whole bytes");
        return (hrp, data);
    }

    public static string Encode(string hrp, ReadOnlySpan<byte> data)
    {
        var values = ConvertBits(data, 8, 5, pad: true)!;
        var checksumInput = new byte[hrp.Length * 2 + 1 + values.Length + 6];
        Expand(hrp).CopyTo(checksumInput, 0);
        values.CopyTo(checksumInput, hrp.Length * 2 + 1);
        var polymod = Polymod(checksumInput) ^ 1;
        var chars = new char[hrp.Length + 1 + values.Length + 6];
        hrp.CopyTo(chars);
        chars[hrp.Length] = '1';
        for (var i = 0; i < values.Length; i++) chars[hrp.Length + 1 + i] = Charset[values[i]];
        for (var i = 0; i < 6; i++) chars[hrp.Length + 1 + values.Length + i] = Charset[(int)((polymod >> (5 * (5 - i))) & 31)];
        return new string(chars);
    }

    private static (string, byte[])? Fail(out string? problem, string why)
    {
        problem = why;
        return null;
    }

    private static byte[] Expand(string hrp)
    {
        var result = new byte[hrp.Length * 2 + 1];
        for (var i = 0; i < hrp.Length; i++)
        {
            result[i] = (byte)(hrp[i] >> 5);
            result[hrp.Length + 1 + i] = (byte)(hrp[i] & 31);
        }
        return result;
    }

    private static uint Polymod(ReadOnlySpan<byte> values)
    {
        ReadOnlySpan<uint> generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
        uint chk = 1;
        foreach (var v in values)
        {
            var top = chk >> 25;
            chk = ((chk & 0x1ffffff) << 5) ^ v;
            for (var i = 0; i < 5; i++)
                if (((top >> i) & 1) != 0) chk ^= generator[i];
        }
        return chk;
    }

    private static byte[]? ConvertBits(ReadOnlySpan<byte> data, int from, int to, bool pad)
    {
        var acc = 0;
        var bits = 0;
        var result = new List<byte>(data.Length * from / to + 1);
        var max = (1 << to) - 1;
        foreach (var value in data)
        {
            acc = (acc << from) | value;
            bits += from;
            while (bits >= to)
            {
                bits -= to;
                result.Add((byte)((acc >> bits) & max));
            }
        }
        if (pad)
        {
            if (bits > 0) result.Add((byte)((acc << (to - bits)) & max));
        }
        else if (bits >= from || ((acc << (to - bits)) & max) != 0) return null;
        return [.. result];
    }
}
