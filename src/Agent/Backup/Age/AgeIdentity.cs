using Org.BouncyCastle.Math.EC.Rfc7748;

namespace NetbootPi.Agent.Backup.Age;

/// <summary>
/// An age X25519 identity (the private key that opens a backup): <c>AGE-SECRET-KEY-1...</c> as <c>age-keygen</c>
/// writes it. Never printed: <see cref="ToString"/> names its recipient only.
/// </summary>
public sealed class AgeIdentity
{
    private const string Hrp = "age-secret-key-";
    private readonly byte[] _secret;

    private AgeIdentity(byte[] secret)
    {
        _secret = secret;
        var publicKey = new byte[X25519.PointSize];
        X25519.ScalarMultBase(secret, 0, publicKey, 0);
        Recipient = AgeRecipient.FromPublicKey(publicKey);
    }

    /// <summary>The public half: the recipient a backup is encrypted to for this identity to open it.</summary>
    public AgeRecipient Recipient { get; }

    public override string ToString() => $"the age identity of {Recipient}";

    /// <summary>
    /// The identity in <paramref name="text"/>: a key file as <c>age-keygen -o</c> writes it (comment lines and the
    /// <c>AGE-SECRET-KEY-1</c> line), or that line alone; false with why (never quoting the key).
    /// </summary>
    public static bool TryParse(string text, out AgeIdentity identity, out string? problem)
    {
        identity = null!;
        var line = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith('#'));
        if (line is null)
        {
            problem = "no key line (expected AGE-SECRET-KEY-1..., as age-keygen writes it)";
            return false;
        }
        if (!line.StartsWith("AGE-SECRET-KEY-1", StringComparison.Ordinal) || Bech32.Decode(line, out problem) is not var (hrp, data) || hrp != Hrp)
        {
            problem = "its key line is not an age identity (expected AGE-SECRET-KEY-1..., as age-keygen writes it)";
            return false;
        }
        if (data.Length != X25519.ScalarSize)
        {
            problem = $"its key holds {data.Length} bytes, not the 32 of an X25519 key";
            return false;
        }
        identity = new AgeIdentity(data);
        return true;
    }

    /// <summary>A new identity (for tests and <c>backup keygen</c>-like uses), and the text of its key file.</summary>
    public static (AgeIdentity Identity, string KeyFile) Generate()
    {
        var secret = System.Security.Cryptography.RandomNumberGenerator.GetBytes(X25519.ScalarSize);
        var identity = new AgeIdentity(secret);
        return (identity, $"# public key: {identity.Recipient}\n{Bech32.Encode(Hrp, secret).ToUpperInvariant()}\n");
    }

    /// <summary>X25519 of this identity's scalar and <paramref name="share"/>; false for a share that makes the all-zero secret.</summary>
    internal bool TryAgree(byte[] share, out byte[] shared)
    {
        shared = new byte[X25519.PointSize];
        return X25519.CalculateAgreement(_secret, 0, share, 0, shared, 0);
    }

    internal byte[] PublicKey => Recipient.PublicKey;
}
