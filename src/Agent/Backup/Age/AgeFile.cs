using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Math.EC.Rfc7748;

namespace NetbootPi.Agent.Backup.Age;

/// <summary>
/// The age file format (age-encryption.org/v1, the spec at github.com/C2SP/C2SP age.md) for X25519 recipients, so
/// an operator opens a backup with <c>age -d -i KEYFILE</c> and no netbootpi. A random 16-byte file key is wrapped
/// once per recipient (X25519 with an ephemeral key, HKDF-SHA256, ChaCha20-Poly1305), the header is authenticated
/// with an HMAC under the file key, and the payload is ChaCha20-Poly1305 in 64 KiB chunks (the STREAM construction:
/// a big-endian chunk counter and a last-chunk flag in each nonce), so a truncated, reordered or altered file is
/// refused. Reading is bounded: a header over 64 KiB or with more than 64 stanzas is not read.
/// </summary>
public static class AgeFile
{
    private const string Version = "age-encryption.org/v1";
    private const string X25519Label = "age-encryption.org/v1/X25519";
    private const int FileKeySize = 16;
    private const int ChunkSize = 64 * 1024;
    private const int TagSize = 16;
    private const int MaxHeaderBytes = 64 * 1024;
    private const int MaxStanzas = 64;

    /// <summary>Encrypts <paramref name="input"/> to <paramref name="output"/> for every one of <paramref name="recipients"/>.</summary>
    public static async Task EncryptAsync(Stream input, Stream output, IReadOnlyList<AgeRecipient> recipients, CancellationToken cancellation)
    {
        if (recipients.Count == 0) throw new ArgumentException("at least one recipient", nameof(recipients));
        var fileKey = RandomNumberGenerator.GetBytes(FileKeySize);
        var header = new StringBuilder();
        header.Append(Version).Append('\n');
        foreach (var recipient in recipients)
        {
            var ephemeral = RandomNumberGenerator.GetBytes(X25519.ScalarSize);
            var share = new byte[X25519.PointSize];
            X25519.ScalarMultBase(ephemeral, 0, share, 0);
            var shared = new byte[X25519.PointSize];
            if (!X25519.CalculateAgreement(ephemeral, 0, recipient.PublicKey, 0, shared, 0))
                throw new ArgumentException($"recipient {recipient} is a low-order point: no key can be agreed with it", nameof(recipients));
            var wrapKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, 32, salt: [.. share, .. recipient.PublicKey], info: Encoding.ASCII.GetBytes(X25519Label));
            var body = Seal(wrapKey, new byte[12], fileKey);
            header.Append("-> X25519 ").Append(B64(share)).Append('\n');
            AppendBody(header, body);
        }
        header.Append("---");
        var mac = HMACSHA256.HashData(HeaderKey(fileKey), Encoding.ASCII.GetBytes(header.ToString()));
        header.Append(' ').Append(B64(mac)).Append('\n');
        await output.WriteAsync(Encoding.ASCII.GetBytes(header.ToString()), cancellation).ConfigureAwait(false);

        var nonce = RandomNumberGenerator.GetBytes(16);
        await output.WriteAsync(nonce, cancellation).ConfigureAwait(false);
        using var aead = new ChaCha20Poly1305(HKDF.DeriveKey(HashAlgorithmName.SHA256, fileKey, 32, salt: nonce, info: "payload"u8.ToArray()));
        var plain = new byte[ChunkSize];
        var next = new byte[ChunkSize];
        var sealedChunk = new byte[ChunkSize + TagSize];
        var length = await FillAsync(input, plain, cancellation).ConfigureAwait(false);
        ulong counter = 0;
        while (true)
        {
            // One chunk read ahead: the last chunk is the one after which nothing is left (an empty file is one empty chunk).
            var nextLength = length == ChunkSize ? await FillAsync(input, next, cancellation).ConfigureAwait(false) : 0;
            var last = nextLength == 0;
            aead.Encrypt(ChunkNonce(counter, last), plain.AsSpan(0, length), sealedChunk.AsSpan(0, length), sealedChunk.AsSpan(length, TagSize));
            await output.WriteAsync(sealedChunk.AsMemory(0, length + TagSize), cancellation).ConfigureAwait(false);
            if (last) break;
            (plain, next) = (next, plain);
            length = nextLength;
            counter++;
        }
    }

    /// <summary>
    /// Decrypts <paramref name="input"/> with <paramref name="identity"/> into <paramref name="output"/>. Throws
    /// <see cref="AgeException"/> saying why a file is not one this identity opens, or is damaged; what was written to
    /// <paramref name="output"/> before a damaged chunk is found is not to be trusted, and callers throw it away.
    /// </summary>
    public static async Task DecryptAsync(Stream input, Stream output, AgeIdentity identity, CancellationToken cancellation)
    {
        var (headerText, macLine, stanzas) = await ReadHeaderAsync(input, cancellation).ConfigureAwait(false);
        byte[]? fileKey = null;
        foreach (var (args, body) in stanzas)
        {
            if (args.Length != 2 || args[0] != "X25519") continue;
            var share = Unb64(args[1], "an X25519 stanza's share");
            if (share.Length != X25519.PointSize || body.Length != FileKeySize + TagSize) throw new AgeException("an X25519 stanza is malformed");
            if (!identity.TryAgree(share, out var shared)) throw new AgeException("an X25519 stanza has a low-order share");
            var wrapKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, 32, salt: [.. share, .. identity.PublicKey], info: Encoding.ASCII.GetBytes(X25519Label));
            try
            {
                fileKey = Open(wrapKey, new byte[12], body);
                break;
            }
            catch (AuthenticationTagMismatchException)
            {
                // Another recipient's stanza.
            }
        }
        if (fileKey is null) throw new AgeException($"the file is not encrypted to {identity.Recipient} (none of its {stanzas.Count} recipient stanzas opens with this identity)");
        var mac = HMACSHA256.HashData(HeaderKey(fileKey), Encoding.ASCII.GetBytes(headerText));
        if (!CryptographicOperations.FixedTimeEquals(mac, Unb64(macLine, "the header's MAC")))
            throw new AgeException("the header's MAC does not match: the header was altered");

        var nonce = new byte[16];
        if (await FillAsync(input, nonce, cancellation).ConfigureAwait(false) != nonce.Length) throw new AgeException("the file ends before its payload");
        using var aead = new ChaCha20Poly1305(HKDF.DeriveKey(HashAlgorithmName.SHA256, fileKey, 32, salt: nonce, info: "payload"u8.ToArray()));
        var chunk = new byte[ChunkSize + TagSize];
        var next = new byte[ChunkSize + TagSize];
        var plain = new byte[ChunkSize];
        var length = await FillAsync(input, chunk, cancellation).ConfigureAwait(false);
        ulong counter = 0;
        while (true)
        {
            if (length < TagSize) throw new AgeException($"the payload is truncated (chunk {counter} is {length} bytes)");
            var nextLength = length == chunk.Length ? await FillAsync(input, next, cancellation).ConfigureAwait(false) : 0;
            var last = nextLength == 0;
            if (counter > 0 && last && length == TagSize) throw new AgeException("the payload ends with an empty chunk, which age never writes");
            try
            {
                aead.Decrypt(ChunkNonce(counter, last), chunk.AsSpan(0, length - TagSize), chunk.AsSpan(length - TagSize, TagSize), plain.AsSpan(0, length - TagSize));
            }
            catch (AuthenticationTagMismatchException)
            {
                throw new AgeException(last
                    ? $"the payload's chunk {counter} does not authenticate as its last: the file was truncated or altered"
                    : $"the payload's chunk {counter} does not authenticate: the file was altered");
            }
            await output.WriteAsync(plain.AsMemory(0, length - TagSize), cancellation).ConfigureAwait(false);
            if (last) return;
            (chunk, next) = (next, chunk);
            length = nextLength;
            counter++;
        }
    }

    private static async Task<(string HeaderText, string Mac, List<(string[] Args, byte[] Body)> Stanzas)> ReadHeaderAsync(Stream input, CancellationToken cancellation)
    {
        // Byte by byte up to "--- MAC\n": the payload starts right after it, and nothing of it may be read ahead.
        var text = new StringBuilder();
        var lines = new List<string>();
        var line = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            if (text.Length >= MaxHeaderBytes) throw new AgeException($"the header is longer than {MaxHeaderBytes} bytes: not an age file this reads");
            if (await input.ReadAsync(one, cancellation).ConfigureAwait(false) == 0) throw new AgeException("the file ends inside its header (not an age file, or truncated)");
            var c = (char)one[0];
            if (one[0] > 0x7e || (one[0] < 0x20 && c != '\n')) throw new AgeException("the header holds a byte that is not printable ASCII (not an age file)");
            text.Append(c);
            if (c != '\n')
            {
                line.Append(c);
                continue;
            }
            var l = line.ToString();
            line.Clear();
            if (lines.Count == 0 && l != Version) throw new AgeException($"it does not start with '{Version}' (not an age file, or another version)");
            if (l.StartsWith("---", StringComparison.Ordinal))
            {
                if (!l.StartsWith("--- ", StringComparison.Ordinal)) throw new AgeException("the header's last line is not '--- MAC'");
                var headerText = text.ToString()[..^(l.Length - 3 + 1)];
                return (headerText, l[4..], Stanzas(lines.Skip(1).ToList()));
            }
            lines.Add(l);
        }
    }

    private static List<(string[] Args, byte[] Body)> Stanzas(List<string> lines)
    {
        var stanzas = new List<(string[], byte[])>();
        var i = 0;
        while (i < lines.Count)
        {
            if (!lines[i].StartsWith("-> ", StringComparison.Ordinal)) throw new AgeException($"header line {i + 2} does not start a stanza ('-> ')");
            if (stanzas.Count == MaxStanzas) throw new AgeException($"the header has more than {MaxStanzas} stanzas");
            var args = lines[i][3..].Split(' ');
            if (args.Any(a => a.Length == 0)) throw new AgeException($"header line {i + 2} has an empty argument");
            i++;
            var body = new StringBuilder();
            while (true)
            {
                if (i >= lines.Count) throw new AgeException("a stanza's body has no final short line");
                var bodyLine = lines[i++];
                if (bodyLine.Length > 64) throw new AgeException($"header line {i + 1} is longer than 64 columns");
                body.Append(bodyLine);
                if (bodyLine.Length < 64) break;
            }
            stanzas.Add((args, Unb64(body.ToString(), "a stanza's body")));
        }
        return stanzas;
    }

    private static byte[] HeaderKey(byte[] fileKey) => HKDF.DeriveKey(HashAlgorithmName.SHA256, fileKey, 32, salt: [], info: "header"u8.ToArray());

    private static byte[] ChunkNonce(ulong counter, bool last)
    {
        var nonce = new byte[12];
        BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(3), counter);
        nonce[11] = last ? (byte)1 : (byte)0;
        return nonce;
    }

    private static byte[] Seal(byte[] key, byte[] nonce, byte[] plain)
    {
        using var aead = new ChaCha20Poly1305(key);
        var result = new byte[plain.Length + TagSize];
        aead.Encrypt(nonce, plain, result.AsSpan(0, plain.Length), result.AsSpan(plain.Length));
        return result;
    }

    private static byte[] Open(byte[] key, byte[] nonce, byte[] sealedBytes)
    {
        using var aead = new ChaCha20Poly1305(key);
        var result = new byte[sealedBytes.Length - TagSize];
        aead.Decrypt(nonce, sealedBytes.AsSpan(0, result.Length), sealedBytes.AsSpan(result.Length), result);
        return result;
    }

    private static void AppendBody(StringBuilder header, byte[] body)
    {
        // Wrapped at 64 columns; the last line is always shorter than 64, even empty (the spec's rule).
        var text = B64(body);
        var at = 0;
        while (text.Length - at >= 64)
        {
            header.Append(text, at, 64).Append('\n');
            at += 64;
        }
        header.Append(text, at, text.Length - at).Append('\n');
    }

    /// <summary>Canonical base64 without padding (RFC 4648 §3.2), as age writes it.</summary>
    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static byte[] Unb64(string text, string what)
    {
        if (text.Contains('=') || text.Length % 4 == 1) throw new AgeException($"{what} is not base64 without padding");
        var padded = text + new string('=', (4 - text.Length % 4) % 4);
        try
        {
            var bytes = Convert.FromBase64String(padded);
            // Canonical only: the same bytes written back must give the same text.
            if (B64(bytes) != text) throw new AgeException($"{what} is not canonical base64");
            return bytes;
        }
        catch (FormatException)
        {
            throw new AgeException($"{what} is not base64");
        }
    }

    private static async Task<int> FillAsync(Stream input, byte[] buffer, CancellationToken cancellation)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await input.ReadAsync(buffer.AsMemory(total), cancellation).ConfigureAwait(false);
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}
