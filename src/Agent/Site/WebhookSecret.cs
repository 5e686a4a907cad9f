using System.Security.Cryptography;

namespace NetbootPi.Agent.Site;

/// <summary>
/// The key a webhook's bodies are signed with (HMAC-SHA256), read from its <c>secret_file</c>. It never prints
/// itself: a secret that reaches a log line or an error through <see cref="ToString"/> shows as <c>(secret)</c>.
/// </summary>
public sealed class WebhookSecret
{
    private readonly byte[] _key;

    public WebhookSecret(ReadOnlySpan<byte> key) => _key = key.ToArray();

    /// <summary>HMAC-SHA256 of <paramref name="data"/> under this secret.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) => HMACSHA256.HashData(_key, data);

    /// <summary>Whether two secrets are the same key (a reload that kept the file).</summary>
    public bool SameAs(WebhookSecret other) => CryptographicOperations.FixedTimeEquals(_key, other._key);

    public override string ToString() => "(secret)";
}
