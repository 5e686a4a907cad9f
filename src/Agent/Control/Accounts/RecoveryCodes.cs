using System.Security.Cryptography;
using System.Text;

namespace NetbootPi.Agent.Control.Accounts;

/// <summary>
/// Single-use codes that stand in for a TOTP code when the phone is lost: <see cref="Count"/> of them, each 80
/// random bits as 16 base32 letters and digits in groups of four (<c>k7q2-m4xd-...</c>), shown once at enrolment;
/// the store keeps their SHA-256 (with 80 bits there is nothing to guess, so a slow hash would add nothing).
/// </summary>
public static class RecoveryCodes
{
    public const int Count = 10;
    private const int Letters = 16;

    /// <summary>New codes, as shown, and their hashes, as kept.</summary>
    public static (string[] Codes, string[] Hashes) Create()
    {
        var codes = new string[Count];
        for (var i = 0; i < Count; i++)
        {
            var letters = Totp.Base32(RandomNumberGenerator.GetBytes(Letters * 5 / 8)).ToLowerInvariant();
            codes[i] = string.Join('-', Enumerable.Range(0, Letters / 4).Select(g => letters.Substring(g * 4, 4)));
        }
        return (codes, [.. codes.Select(c => HashOf(c)!)]);
    }

    /// <summary>
    /// The hash of <paramref name="code"/> as typed (any case, with or without the dashes and spaces), or null when it
    /// cannot be a recovery code.
    /// </summary>
    public static string? HashOf(string code)
    {
        var plain = new StringBuilder(Letters);
        foreach (var c in code)
        {
            if (c is '-' or ' ') continue;
            if (plain.Length == Letters || !(char.IsAsciiLetter(c) || c is >= '2' and <= '7')) return null;
            plain.Append(char.ToLowerInvariant(c));
        }
        return plain.Length == Letters ? Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(plain.ToString()))) : null;
    }
}
