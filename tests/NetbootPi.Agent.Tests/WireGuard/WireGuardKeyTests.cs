using NetbootPi.Agent.WireGuard;
using NetbootPi.Tests.Shared;

namespace NetbootPi.Agent.Tests.WireGuard;

/// <summary>Curve25519 as WireGuard uses it: RFC 7748's test vectors, wg's clamping, and <c>wg pubkey</c> itself.</summary>
public class WireGuardKeyTests
{
    private static byte[] Hex(string s) => Convert.FromHexString(s);

    [Fact]
    public void Rfc7748_section_5_2_vectors()
    {
        Assert.Equal(Hex("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"),
            WireGuardSecret.X25519Multiply(Hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
                Hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c")));
        Assert.Equal(Hex("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"),
            WireGuardSecret.X25519Multiply(Hex("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"),
                Hex("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493")));
    }

    [Fact]
    public void Rfc7748_section_6_1_key_agreement()
    {
        // Alice's and Bob's key pairs, and the secret both compute.
        var alice = WireGuardSecret.Parse(Convert.ToBase64String(Hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")))!;
        var bob = WireGuardSecret.Parse(Convert.ToBase64String(Hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")))!;
        Assert.Equal(Hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"), alice.PublicKey().ToBytes());
        Assert.Equal(Hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"), bob.PublicKey().ToBytes());
        var shared = Hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
        Assert.Equal(shared, WireGuardSecret.X25519Multiply(Hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"), bob.PublicKey().ToBytes()));
        Assert.Equal(shared, WireGuardSecret.X25519Multiply(Hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"), alice.PublicKey().ToBytes()));
    }

    [Fact]
    public void A_new_private_key_is_clamped_as_wg_genkey_stores_it()
    {
        for (var i = 0; i < 64; i++)
        {
            var bytes = Convert.FromBase64String(WireGuardSecret.NewPrivateKey().RevealBase64());
            Assert.Equal(0, bytes[0] & 7);
            Assert.Equal(64, bytes[31] & 0xC0);
        }
    }

    [Fact]
    public void A_secret_never_prints_itself()
    {
        var key = WireGuardSecret.NewPrivateKey();
        Assert.DoesNotContain(key.RevealBase64(), key.ToString());
        Assert.DoesNotContain(key.RevealBase64(), $"{key}");
    }

    [Fact]
    public async Task Public_keys_agree_with_wg_pubkey()
    {
        var wg = Peers.Require("wg", "wireguard-tools");
        for (var i = 0; i < 8; i++)
        {
            var key = i < 4 ? WireGuardSecret.NewPrivateKey() : WireGuardSecret.Parse(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)))!;
            var (code, stdout, stderr) = await Tool.RunAsync("/bin/sh", ["-c", $"printf '%s\\n' '{key.RevealBase64()}' | {wg} pubkey"], TestContext.Current.CancellationToken);
            Assert.True(code == 0, stderr);
            Assert.Equal(stdout.Trim(), key.PublicKey().ToString());
        }
    }

    [Theory]
    [InlineData("", "0 characters")]
    [InlineData("hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo", "43 characters")]
    [InlineData("hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTm*=", "not base64")]
    [InlineData("hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmp=", "not the canonical base64")]
    public void Keys_are_44_characters_of_canonical_base64(string text, string problem)
    {
        Assert.False(WireGuardKey.TryParse(text, out _, out var why));
        Assert.Contains(problem, why);
    }
}
