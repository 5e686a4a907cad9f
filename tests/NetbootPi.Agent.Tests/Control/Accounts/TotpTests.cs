using System.Text;
using NetbootPi.Agent.Control.Accounts;

namespace NetbootPi.Agent.Tests.Control.Accounts;

/// <summary>The TOTP generator against RFC 6238's own vectors, base32 against RFC 4648's, and the window and replay rules.</summary>
public class TotpTests
{
    // RFC 6238 Appendix B: the SHA1 rows use the 20-byte ASCII seed "12345678901234567890" and 8 digits.
    private static readonly byte[] RfcSeed = Encoding.ASCII.GetBytes("12345678901234567890");

    [Theory]
    [InlineData(59L, "0000000000000001", "94287082")]
    [InlineData(1111111109L, "00000000023523EC", "07081804")]
    [InlineData(1111111111L, "00000000023523ED", "14050471")]
    [InlineData(1234567890L, "000000000273EF07", "89005924")]
    [InlineData(2000000000L, "0000000003F940AA", "69279037")]
    [InlineData(20000000000L, "0000000027BC86AA", "65353130")]
    public void The_sha1_rows_of_rfc_6238_appendix_b(long unixSeconds, string stepHex, string code)
    {
        var step = Totp.StepOf(DateTimeOffset.FromUnixTimeSeconds(unixSeconds));
        Assert.Equal(Convert.ToInt64(stepHex, 16), step);
        Assert.Equal(code, Totp.Code(RfcSeed, step, digits: 8));
        // Six digits are the last six of the same number (the modulus is the only difference).
        Assert.Equal(code[2..], Totp.Code(RfcSeed, step));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("f", "MY")]
    [InlineData("fo", "MZXQ")]
    [InlineData("foo", "MZXW6")]
    [InlineData("foob", "MZXW6YQ")]
    [InlineData("fooba", "MZXW6YTB")]
    [InlineData("foobar", "MZXW6YTBOI")]
    public void Base32_is_rfc_4648_without_padding(string text, string base32)
    {
        Assert.Equal(base32, Totp.Base32(Encoding.ASCII.GetBytes(text)));
        Assert.Equal(text, Encoding.ASCII.GetString(Totp.FromBase32(base32)!));
        Assert.Equal(text, Encoding.ASCII.GetString(Totp.FromBase32(base32.ToLowerInvariant() + new string('=', (8 - base32.Length % 8) % 8))!));
    }

    [Fact]
    public void Base32_that_is_not_is_null()
    {
        Assert.Null(Totp.FromBase32("MZXW1"));
        Assert.Null(Totp.FromBase32("MZ-XW"));
    }

    [Fact]
    public void A_code_is_good_one_step_either_side_not_two_and_never_at_or_before_the_last_step_used()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1111111111);
        var step = Totp.StepOf(now);
        Assert.Equal(step, Totp.Match(RfcSeed, Totp.Code(RfcSeed, step), now, null));
        Assert.Equal(step - 1, Totp.Match(RfcSeed, Totp.Code(RfcSeed, step - 1), now, null));
        Assert.Equal(step + 1, Totp.Match(RfcSeed, Totp.Code(RfcSeed, step + 1), now, null));
        Assert.Null(Totp.Match(RfcSeed, Totp.Code(RfcSeed, step - 2), now, null));
        Assert.Null(Totp.Match(RfcSeed, Totp.Code(RfcSeed, step + 2), now, null));
        // Replay: the step used last, or one before it, is never good again.
        Assert.Null(Totp.Match(RfcSeed, Totp.Code(RfcSeed, step), now, step));
        Assert.Null(Totp.Match(RfcSeed, Totp.Code(RfcSeed, step - 1), now, step));
        Assert.Equal(step + 1, Totp.Match(RfcSeed, Totp.Code(RfcSeed, step + 1), now, step));
        // Not six digits: no match, without an exception.
        Assert.Null(Totp.Match(RfcSeed, "14050471", now, null));
        Assert.Null(Totp.Match(RfcSeed, "05o471", now, null));
        Assert.Null(Totp.Match(RfcSeed, "", now, null));
    }

    [Fact]
    public void The_uri_is_what_authenticator_apps_read()
    {
        Assert.Equal("otpauth://totp/NetbootPi:alice%40lab%201?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=NetbootPi&algorithm=SHA1&digits=6&period=30",
            Totp.Uri("NetbootPi", "alice@lab 1", RfcSeed));
        Assert.Equal(20, Totp.NewSecret().Length);
        Assert.NotEqual(Totp.NewSecret(), Totp.NewSecret());
    }

    [Fact]
    public void Recovery_codes_are_ten_of_80_bits_read_back_in_any_case_and_with_or_without_dashes()
    {
        var (codes, hashes) = RecoveryCodes.Create();
        Assert.Equal(10, codes.Length);
        Assert.Equal(10, codes.Distinct().Count());
        Assert.All(codes, c => Assert.Matches("^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$", c));
        Assert.Equal(hashes[3], RecoveryCodes.HashOf(codes[3]));
        Assert.Equal(hashes[3], RecoveryCodes.HashOf(codes[3].ToUpperInvariant().Replace("-", "", StringComparison.Ordinal)));
        Assert.Equal(hashes[3], RecoveryCodes.HashOf(codes[3].Replace('-', ' ')));
        Assert.Null(RecoveryCodes.HashOf(codes[3][..^1]));
        Assert.Null(RecoveryCodes.HashOf(codes[3] + "a"));
        Assert.Null(RecoveryCodes.HashOf("123456"));
        Assert.DoesNotContain(codes[3].Replace("-", "", StringComparison.Ordinal), hashes[3]);
    }
}
