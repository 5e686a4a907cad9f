using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace NetbootPi.Agent.Control.Accounts;

/// <summary>
/// Time-based one-time passwords (RFC 6238) as authenticator apps make them: HMAC-SHA1 over the count of
/// <see cref="StepSeconds"/>-second steps since the Unix epoch, truncated to <see cref="Digits"/> decimal digits
/// (RFC 4226 §5.3), the secret shared as base32 (RFC 4648 §6) in an <c>otpauth://</c> URI.
/// </summary>
public static class Totp
{
    public const int Digits = 6;
    public const int StepSeconds = 30;

    /// <summary>Steps either side of now that are accepted too: a phone's clock a little off, a code typed as it turned.</summary>
    public const int Window = 1;

    /// <summary>160 bits, the size of an HMAC-SHA1 output, as RFC 4226 §4 recommends.</summary>
    public const int SecretBytes = 20;

    /// <summary>The step <paramref name="time"/> falls in (RFC 6238 §4.2: T = floor((now - T0) / X), T0 = 0).</summary>
    public static long StepOf(DateTimeOffset time) => Math.DivRem(time.ToUnixTimeSeconds(), StepSeconds, out var r) - (r < 0 ? 1 : 0);

    /// <summary>The code for step <paramref name="step"/> (RFC 4226 §5.3, dynamic truncation), <paramref name="digits"/> long with leading zeros.</summary>
    public static string Code(ReadOnlySpan<byte> secret, long step, int digits = Digits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(digits, 6);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(digits, 9);
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> mac = stackalloc byte[HMACSHA1.HashSizeInBytes];
        // SHA-1 here is HMAC's PRF, as every authenticator app computes it; not a collision-resistance use.
#pragma warning disable CA5350
        HMACSHA1.HashData(secret, counter, mac);
#pragma warning restore CA5350
        var offset = mac[^1] & 0x0f;
        var binary = BinaryPrimitives.ReadInt32BigEndian(mac[offset..]) & 0x7fffffff;
        var modulo = 1;
        for (var i = 0; i < digits; i++) modulo *= 10;
        return (binary % modulo).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(digits, '0');
    }

    /// <summary>
    /// The step whose code <paramref name="code"/> is, within <see cref="Window"/> of <paramref name="now"/> and after
    /// <paramref name="lastUsed"/> (a code once accepted is never accepted again, RFC 6238 §5.2); null when none.
    /// Every candidate is compared in constant time.
    /// </summary>
    public static long? Match(ReadOnlySpan<byte> secret, string code, DateTimeOffset now, long? lastUsed)
    {
        if (code.Length != Digits || !code.All(char.IsAsciiDigit)) return null;
        var given = Encoding.ASCII.GetBytes(code);
        var current = StepOf(now);
        long? found = null;
        for (var step = current - Window; step <= current + Window; step++)
        {
            var equal = CryptographicOperations.FixedTimeEquals(given, Encoding.ASCII.GetBytes(Code(secret, step)));
            if (equal && step > (lastUsed ?? long.MinValue) && found is null) found = step;
        }
        return found;
    }

    /// <summary>A new random secret.</summary>
    public static byte[] NewSecret() => RandomNumberGenerator.GetBytes(SecretBytes);

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /// <summary>RFC 4648 §6 base32, without padding (as otpauth URIs carry it).</summary>
    public static string Base32(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder((bytes.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) text.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        return text.ToString();
    }

    /// <summary>Reads base32 (any case, padding and spaces ignored); null when it is not base32.</summary>
    public static byte[]? FromBase32(string text)
    {
        var bytes = new List<byte>(text.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var c in text)
        {
            if (c is '=' or ' ') continue;
            var value = Alphabet.IndexOf(char.ToUpperInvariant(c), StringComparison.Ordinal);
            if (value < 0) return null;
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        return [.. bytes];
    }

    /// <summary>
    /// The URI an authenticator app reads from the QR code (Google Authenticator's Key Uri Format): the issuer and the
    /// account in the label and again as <c>issuer=</c>, the secret, and the parameters spelled out although they are
    /// the defaults.
    /// </summary>
    public static string Uri(string issuer, string account, ReadOnlySpan<byte> secret) =>
        $"otpauth://totp/{Escape(issuer)}:{Escape(account)}?secret={Base32(secret)}&issuer={Escape(issuer)}&algorithm=SHA1&digits={Digits}&period={StepSeconds}";

    private static string Escape(string s) => System.Uri.EscapeDataString(s);
}
