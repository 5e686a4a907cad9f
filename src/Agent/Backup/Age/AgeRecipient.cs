using Org.BouncyCastle.Math.EC.Rfc7748;

namespace NetbootPi.Agent.Backup.Age;

/// <summary>An age X25519 recipient: a public key as <c>age-keygen</c> prints it (<c>age1</c> and 58 Bech32 characters).</summary>
public sealed class AgeRecipient
{
    internal const string Hrp = "age";

    private AgeRecipient(byte[] publicKey, string text)
    {
        PublicKey = publicKey;
        Text = text;
    }

    internal byte[] PublicKey { get; }

    /// <summary>The key as written (<c>age1...</c>).</summary>
    public string Text { get; }

    public override string ToString() => Text;

    /// <summary>The recipient <paramref name="text"/> names; false with why when it is not one.</summary>
    public static bool TryParse(string text, out AgeRecipient recipient, out string? problem)
    {
        recipient = null!;
        text = text.Trim();
        if (Bech32.Decode(text, out problem) is not var (hrp, data)) return false;
        if (hrp != Hrp)
        {
            problem = $"it starts with '{hrp}1', not 'age1' (an age public key, as age-keygen prints it on its '# public key:' line)";
            return false;
        }
        if (data.Length != X25519.PointSize)
        {
            problem = $"it holds {data.Length} bytes, not the 32 of an X25519 key";
            return false;
        }
        recipient = new AgeRecipient(data, text.ToLowerInvariant());
        return true;
    }

    internal static AgeRecipient FromPublicKey(byte[] publicKey) => new(publicKey, Bech32.Encode(Hrp, publicKey));
}
