using System.Globalization;
using System.Text;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Alerts;

/// <summary>
/// How a webhook's body is signed: HMAC-SHA256 under the webhook's secret of the timestamp (Unix seconds, decimal
/// ASCII), a dot, and the body's bytes exactly as sent; in <see cref="SignatureHeader"/> as <c>sha256=</c> and the
/// lower-case hex digest. The timestamp is in the signed text so that a receiver can refuse an old request replayed
/// (docs/alerts.md: a window of five minutes, and the id remembered within it).
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "X-NetbootPi-Id";
    public const string TimestampHeader = "X-NetbootPi-Timestamp";
    public const string SignatureHeader = "X-NetbootPi-Signature";
    public const string Prefix = "sha256=";

    /// <summary>The value of <see cref="SignatureHeader"/> for <paramref name="body"/> sent at <paramref name="timestamp"/>.</summary>
    public static string Sign(WebhookSecret secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var stamp = timestamp.ToString(CultureInfo.InvariantCulture);
        var signed = new byte[stamp.Length + 1 + body.Length];
        Encoding.ASCII.GetBytes(stamp, signed);
        signed[stamp.Length] = (byte)'.';
        body.CopyTo(signed.AsSpan(stamp.Length + 1));
        return Prefix + Convert.ToHexStringLower(secret.Sign(signed));
    }
}
