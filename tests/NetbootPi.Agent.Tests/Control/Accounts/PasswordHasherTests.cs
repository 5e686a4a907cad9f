using System.Text;
using NetbootPi.Agent.Control.Accounts;

namespace NetbootPi.Agent.Tests.Control.Accounts;

public class PasswordHasherTests
{
    [Fact]
    public void Argon2id_gives_the_rfc_9106_test_vector()
    {
        // RFC 9106 §5.3: Argon2id, version 0x13, 32 KiB, 3 passes, 4 lanes, a 32-byte tag; password 32 x 0x01,
        // salt 16 x 0x02, secret 8 x 0x03, associated data 12 x 0x04.
        var tag = PasswordHasher.Derive(Fill(32, 0x01), Fill(16, 0x02), memoryKiB: 32, passes: 3, lanes: 4, length: 32,
            secret: Fill(8, 0x03), associated: Fill(12, 0x04));
        Assert.Equal("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659", Convert.ToHexStringLower(tag));
    }

    [Fact]
    public async Task The_phc_string_is_the_reference_argon2_tools_own()
    {
        // The reference implementation's CLI (argon2 package): same password, salt and parameters, same string.
        var argon2 = Peers.Require("argon2", "argon2");
        var (code, o, e) = await RunWithInput(argon2, "correct horse", ["saltsaltsaltsalt", "-id", "-k", "19456", "-t", "2", "-p", "1", "-l", "32", "-e"]);
        Assert.True(code == 0, e);
        var cli = o.Trim();
        var ours = PasswordHasher.Format(19456, 2, 1, Encoding.ASCII.GetBytes("saltsaltsaltsalt"),
            PasswordHasher.Derive(Encoding.UTF8.GetBytes("correct horse"), Encoding.ASCII.GetBytes("saltsaltsaltsalt"), 19456, 2, 1, 32));
        Assert.Equal(cli, ours);

        var hasher = new PasswordHasher();
        Assert.True(await hasher.VerifyAsync("correct horse", cli, TestContext.Current.CancellationToken));
        Assert.False(await hasher.VerifyAsync("correct horse!", cli, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_new_hash_has_the_stated_parameters_a_fresh_salt_and_verifies()
    {
        var hasher = new PasswordHasher();
        var ct = TestContext.Current.CancellationToken;
        var a = await hasher.HashAsync("s3cret pass", ct);
        var b = await hasher.HashAsync("s3cret pass", ct);
        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", a);
        Assert.NotEqual(a, b);
        Assert.True(await hasher.VerifyAsync("s3cret pass", a, ct));
        Assert.False(await hasher.VerifyAsync("s3cret pasS", a, ct));
        // Nobody (no hash) and a damaged hash never verify, whatever the password.
        Assert.False(await hasher.VerifyAsync("s3cret pass", null, ct));
        Assert.False(await hasher.VerifyAsync("s3cret pass", a[..^4], ct));
    }

    [Theory]
    [InlineData("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "'argon2i' is not argon2id")]
    [InlineData("$argon2id$v=16$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "'v=16' is not v=19")]
    [InlineData("$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "m=4194304 is not 8 to 262144 KiB")]
    [InlineData("$argon2id$v=19$m=19456,t=99,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "t=99 is not 1 to 16 passes")]
    [InlineData("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA", "the salt is not base64 of at least 8 bytes")]
    [InlineData("plain text", "not a PHC string")]
    public void A_hash_the_agent_cannot_check_says_why(string phc, string why)
    {
        Assert.StartsWith(why, PasswordHasher.TryParse(phc, out _));
    }

    private static byte[] Fill(int n, byte b) => Enumerable.Repeat(b, n).ToArray();

    private static async Task<(int, string, string)> RunWithInput(string file, string input, string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        await p.StandardInput.WriteAsync(input);
        p.StandardInput.Close();
        var o = await p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var e = await p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await p.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (p.ExitCode, o, e);
    }
}
