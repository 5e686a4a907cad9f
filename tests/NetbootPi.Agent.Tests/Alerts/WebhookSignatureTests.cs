using System.Text;
using NetbootPi.Agent.Alerts;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Tests.Alerts;

/// <summary>The signature a receiver checks, against a vector made by openssl, not by the code under test.</summary>
public class WebhookSignatureTests
{
    // printf '%s' '1765065600.{"id":"0123456789abcdef0123456789abcdef","kind":"test"}' \
    //   | openssl dgst -sha256 -hmac 'wh-secret-0123456789abcdef'
    private const string Secret = "wh-secret-0123456789abcdef";
    private const long Timestamp = 1765065600;
    private const string Body = """{"id":"0123456789abcdef0123456789abcdef","kind":"test"}""";
    private const string OpensslDigest = "b44ce8c7b7c56ed181ac293995bb0fb834ff7230afd167943f777e4f766f0f45";

    [Fact]
    public void HMAC_SHA256_of_the_timestamp_a_dot_and_the_body_as_openssl_computes_it()
    {
        var signature = WebhookSignature.Sign(new WebhookSecret(Encoding.UTF8.GetBytes(Secret)), Timestamp, Encoding.UTF8.GetBytes(Body));
        Assert.Equal("sha256=" + OpensslDigest, signature);
    }

    [Fact]
    public void Another_timestamp_or_one_byte_of_the_body_changes_it()
    {
        var secret = new WebhookSecret(Encoding.UTF8.GetBytes(Secret));
        Assert.NotEqual("sha256=" + OpensslDigest, WebhookSignature.Sign(secret, Timestamp + 1, Encoding.UTF8.GetBytes(Body)));
        Assert.NotEqual("sha256=" + OpensslDigest, WebhookSignature.Sign(secret, Timestamp, Encoding.UTF8.GetBytes(Body.Replace("test", "tesT", StringComparison.Ordinal))));
    }

    [Fact]
    public void The_secret_never_prints_itself()
    {
        var secret = new WebhookSecret(Encoding.UTF8.GetBytes(Secret));
        Assert.Equal("(secret)", secret.ToString());
        Assert.DoesNotContain(Secret, $"{secret}", StringComparison.Ordinal);
    }
}
