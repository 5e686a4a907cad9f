using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;

namespace NetbootPi.Agent.Control.Accounts;

/// <summary>
/// Passwords as Argon2id (RFC 9106) hashes in the PHC string format
/// (<c>$argon2id$v=19$m=19456,t=2,p=1$SALT$HASH</c>, unpadded base64), the form the reference <c>argon2</c> tool and
/// most libraries print, so a hash made elsewhere (a first-boot file) can be read and one made here checked there.
/// </summary>
/// <remarks>
/// The parameters are OWASP's first Argon2id recommendation: 19 MiB of memory, 2 passes, 1 lane. On the box's four
/// cores a hash takes a fraction of a second (docs/security.md has the figures) and the memory is held only while
/// it runs; at most <see cref="Concurrency"/> run at once, so a burst of logins cannot take the box's memory.
/// </remarks>
public sealed class PasswordHasher
{
    public const int MemoryKiB = 19 * 1024;
    public const int Passes = 2;
    public const int Lanes = 1;
    public const int SaltBytes = 16;
    public const int HashBytes = 32;
    public const int Concurrency = 2;

    // A hash read from the file is checked against these before it runs: a damaged or hostile file must not make
    // a login allocate gigabytes or loop for minutes.
    private const int MaxMemoryKiB = 256 * 1024;
    private const int MaxPasses = 16;
    private const int MaxLanes = 8;

    private readonly SemaphoreSlim _running = new(Concurrency);

    // Checked when a login names nobody, so that the answer takes as long as for a real account.
    private readonly string _decoy;

    public PasswordHasher() => _decoy = Format(MemoryKiB, Passes, Lanes, RandomNumberGenerator.GetBytes(SaltBytes), new byte[HashBytes]);

    /// <summary>A new hash of <paramref name="password"/> with a fresh random salt.</summary>
    public async Task<string> HashAsync(string password, CancellationToken cancellation)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = await RunAsync(Encoding.UTF8.GetBytes(password), salt, MemoryKiB, Passes, Lanes, HashBytes, cancellation).ConfigureAwait(false);
        return Format(MemoryKiB, Passes, Lanes, salt, hash);
    }

    /// <summary>
    /// True when <paramref name="password"/> matches <paramref name="phc"/>; a null or unreadable hash (an unknown
    /// user) is checked against a decoy so the time taken says nothing, and is false.
    /// </summary>
    public async Task<bool> VerifyAsync(string password, string? phc, CancellationToken cancellation)
    {
        var known = phc is not null && TryParse(phc, out _) is null;
        var p = Parse(known ? phc! : _decoy);
        var hash = await RunAsync(Encoding.UTF8.GetBytes(password), p.Salt, p.MemoryKiB, p.Passes, p.Lanes, p.Hash.Length, cancellation).ConfigureAwait(false);
        return CryptographicOperations.FixedTimeEquals(hash, p.Hash) && known;
    }

    private async Task<byte[]> RunAsync(byte[] password, byte[] salt, int memory, int passes, int lanes, int length, CancellationToken cancellation)
    {
        await _running.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            // Tens to hundreds of milliseconds of CPU: off the request's thread.
            return await Task.Run(() => Derive(password, salt, memory, passes, lanes, length), cancellation).ConfigureAwait(false);
        }
        finally
        {
            _running.Release();
            CryptographicOperations.ZeroMemory(password);
        }
    }

    /// <summary>Argon2id version 0x13 (RFC 9106 §3), with the optional secret and associated data of the RFC's test vectors.</summary>
    internal static byte[] Derive(byte[] password, byte[] salt, int memoryKiB, int passes, int lanes, int length,
        byte[]? secret = null, byte[]? associated = null)
    {
        var builder = new Argon2Parameters.Builder(Argon2Parameters.Argon2id)
            .WithVersion(Argon2Parameters.Version13)
            .WithMemoryAsKB(memoryKiB)
            .WithIterations(passes)
            .WithParallelism(lanes)
            .WithSalt(salt);
        if (secret is not null) builder.WithSecret(secret);
        if (associated is not null) builder.WithAdditional(associated);
        var generator = new Argon2BytesGenerator();
        generator.Init(builder.Build());
        var output = new byte[length];
        generator.GenerateBytes(password, output);
        return output;
    }

    internal static string Format(int memory, int passes, int lanes, byte[] salt, byte[] hash) =>
        string.Create(CultureInfo.InvariantCulture, $"$argon2id$v=19$m={memory},t={passes},p={lanes}${B64(salt)}${B64(hash)}");

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    internal sealed record Phc(int MemoryKiB, int Passes, int Lanes, byte[] Salt, byte[] Hash);

    internal static Phc Parse(string phc) => TryParse(phc, out var p) is null ? p! : throw new FormatException(phc);

    /// <summary>Reads a PHC string; null when it is one this hasher can check, else why not (without the hash itself).</summary>
    internal static string? TryParse(string phc, out Phc? value)
    {
        value = null;
        var parts = phc.Split('$');
        // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
        if (parts.Length != 6 || parts[0] != "") return "not a PHC string ($argon2id$v=19$m=M,t=T,p=P$SALT$HASH)";
        if (parts[1] != "argon2id") return $"'{parts[1]}' is not argon2id (the only algorithm the agent checks)";
        if (parts[2] != "v=19") return $"'{parts[2]}' is not v=19 (Argon2 version 1.3)";
        int m = 0, t = 0, p = 0;
        foreach (var kv in parts[3].Split(','))
        {
            var eq = kv.IndexOf('=');
            if (eq < 1 || !int.TryParse(kv.AsSpan(eq + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return $"'{parts[3]}' is not m=M,t=T,p=P";
            switch (kv[..eq])
            {
                case "m": m = n; break;
                case "t": t = n; break;
                case "p": p = n; break;
                default: return $"'{kv[..eq]}' is not an Argon2 parameter (m, t, p)";
            }
        }
        if (p is < 1 or > MaxLanes) return $"p={p} is not 1 to {MaxLanes} lanes";
        if (t is < 1 or > MaxPasses) return $"t={t} is not 1 to {MaxPasses} passes";
        if (m < 8 * p || m > MaxMemoryKiB) return $"m={m} is not {8 * p} to {MaxMemoryKiB} KiB";
        var salt = FromB64(parts[4]);
        var hash = FromB64(parts[5]);
        if (salt is null || salt.Length < 8) return "the salt is not base64 of at least 8 bytes";
        if (hash is null || hash.Length is < 16 or > 64) return "the hash is not base64 of 16 to 64 bytes";
        value = new Phc(m, t, p, salt, hash);
        return null;
    }

    private static byte[]? FromB64(string text)
    {
        var padded = text.Length % 4 == 0 ? text : text + new string('=', 4 - text.Length % 4);
        var buffer = new byte[padded.Length];
        return Convert.TryFromBase64String(padded, buffer, out var n) ? buffer[..n] : null;
    }
}
