using System.Diagnostics.CodeAnalysis;

namespace NetbootPi.Agent.WireGuard;

/// <summary>
/// A WireGuard public key: 32 bytes, written as base64 (44 characters ending in '='), as <c>wg</c> prints it and
/// every WireGuard config holds it. Secrets are <see cref="WireGuardSecret"/>, a type that never prints itself.
/// </summary>
public readonly struct WireGuardKey : IEquatable<WireGuardKey>
{
    public const int Length = 32;

    private readonly string _base64;

    private WireGuardKey(string base64) => _base64 = base64;

    /// <summary>The key from its 32 bytes.</summary>
    public static WireGuardKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length) throw new ArgumentException($"a WireGuard key is {Length} bytes, not {bytes.Length}", nameof(bytes));
        return new WireGuardKey(Convert.ToBase64String(bytes));
    }

    /// <summary>
    /// Reads a key as <c>wg</c> writes it; on failure <paramref name="problem"/> says what is wrong in words
    /// (not base64, or base64 of the wrong length).
    /// </summary>
    public static bool TryParse(string text, out WireGuardKey key, [NotNullWhen(false)] out string? problem)
    {
        key = default;
        Span<byte> bytes = stackalloc byte[Length + 3];
        // wg's own rule (encoding.c): exactly 44 characters, the last '='; anything else is not a key.
        if (text.Length != 44 || text[43] != '=')
        {
            problem = $"{text.Length} characters (expected 44 characters of base64 ending in '=', as 'wg pubkey' prints a key)";
            return false;
        }
        if (!Convert.TryFromBase64String(text, bytes, out var written) || written != Length)
        {
            problem = "not base64 of 32 bytes (expected a key as 'wg pubkey' prints it)";
            return false;
        }
        // Canonical form only: a different last character can decode to the same bytes, and two spellings of one
        // key would make two peers out of one.
        var canonical = Convert.ToBase64String(bytes[..Length]);
        if (canonical != text)
        {
            problem = $"not the canonical base64 of its 32 bytes (expected {canonical})";
            return false;
        }
        key = new WireGuardKey(canonical);
        problem = null;
        return true;
    }

    public bool IsDefault => _base64 is null;

    /// <summary>The 32 bytes.</summary>
    public byte[] ToBytes() => Convert.FromBase64String(_base64);

    /// <summary>The base64 form, as configs and <c>wg</c> write it.</summary>
    public override string ToString() => _base64 ?? "";

    public bool Equals(WireGuardKey other) => string.Equals(_base64, other._base64, StringComparison.Ordinal);
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is WireGuardKey k && Equals(k);
    public override int GetHashCode() => _base64 is null ? 0 : StringComparer.Ordinal.GetHashCode(_base64);
    public static bool operator ==(WireGuardKey a, WireGuardKey b) => a.Equals(b);
    public static bool operator !=(WireGuardKey a, WireGuardKey b) => !a.Equals(b);
}
