using System.Security.Cryptography;
using Org.BouncyCastle.Math.EC.Rfc7748;

namespace NetbootPi.Agent.WireGuard;

/// <summary>
/// A WireGuard private key or preshared key: 32 secret bytes. It never prints itself (<see cref="ToString"/> says
/// what it is, not what it holds), so a secret that reaches a log line or an API answer by mistake shows as that
/// sentence; <see cref="RevealBase64"/> is the one way out, for the few places that must write it (a key file,
/// the peer's own config).
/// </summary>
public sealed class WireGuardSecret
{
    private readonly byte[] _bytes;

    private WireGuardSecret(byte[] bytes) => _bytes = bytes;

    /// <summary>
    /// A new private key: 32 random bytes clamped as Curve25519 wants a scalar (RFC 7748 §5), as <c>wg genkey</c>
    /// stores it, so the file holds what the kernel uses.
    /// </summary>
    public static WireGuardSecret NewPrivateKey()
    {
        var bytes = RandomNumberGenerator.GetBytes(WireGuardKey.Length);
        Clamp(bytes);
        return new WireGuardSecret(bytes);
    }

    /// <summary>A new preshared key: 32 random bytes, unclamped (<c>wg genpsk</c>).</summary>
    public static WireGuardSecret NewPresharedKey() => new(RandomNumberGenerator.GetBytes(WireGuardKey.Length));

    /// <summary>Reads a secret as <c>wg genkey</c> writes it (base64, one line); null when <paramref name="text"/> is not one.</summary>
    public static WireGuardSecret? Parse(string text) =>
        WireGuardKey.TryParse(text.Trim(), out var key, out _) ? new WireGuardSecret(key.ToBytes()) : null;

    /// <summary>RFC 7748 §5 decodeScalar25519, as wg's curve25519_clamp_secret does it.</summary>
    internal static void Clamp(Span<byte> scalar)
    {
        scalar[0] &= 248;
        scalar[31] = (byte)((scalar[31] & 127) | 64);
    }

    /// <summary>The public key of this private key: X25519 of the base point (RFC 7748 §6.1), as <c>wg pubkey</c>.</summary>
    public WireGuardKey PublicKey()
    {
        // X25519.ScalarMultBase clamps its copy of the scalar itself (RFC 7748 §5), whether or not the file's is.
        var result = new byte[WireGuardKey.Length];
        X25519.ScalarMultBase(_bytes, 0, result, 0);
        return WireGuardKey.FromBytes(result);
    }

    /// <summary>X25519(k, u) of RFC 7748 §5: <paramref name="scalar"/> clamped, times the point with u-coordinate <paramref name="u"/>.</summary>
    internal static byte[] X25519Multiply(byte[] scalar, byte[] u)
    {
        // "Implementations of X25519 MUST mask the most significant bit in the final byte" (§5); the kernel's does.
        var point = (byte[])u.Clone();
        point[31] &= 127;
        var result = new byte[WireGuardKey.Length];
        X25519.ScalarMult(scalar, 0, point, 0, result, 0);
        return result;
    }

    /// <summary>The secret in base64, for a key file or the peer's own config; never for a log or an answer.</summary>
    public string RevealBase64() => Convert.ToBase64String(_bytes);

    public override string ToString() => "(a WireGuard secret key, not shown)";
}
