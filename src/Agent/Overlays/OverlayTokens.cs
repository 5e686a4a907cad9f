using System.Security.Cryptography;
using System.Text;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Overlays;

/// <summary>
/// Per-host secrets that let a host without a static address upload its own overlay: one random token per
/// MAC in <c>STATE_DIR/overlay-tokens/MAC</c> (directory 0700, file 0600), made by
/// <c>netbootpi overlay token HOST</c> and sent by the host as <c>Authorization: Bearer TOKEN</c>.
/// The agent reads the file at every upload, so a rotation by the CLI takes effect at once without a signal.
/// </summary>
public sealed class OverlayTokens(string stateDirectory, IAtomicFiles files)
{
    /// <summary>256 random bits as 64 lowercase hex digits: nothing a shell, a header or a file could mangle.</summary>
    public const int TokenLength = 64;

    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public string Root { get; } = Path.Combine(stateDirectory, "overlay-tokens");

    public string PathOf(MacAddress mac) => Path.Combine(Root, mac.ToString(MacFormat.Hyphen));

    /// <summary>The host's token, or null when none has been issued (or the file is not a token).</summary>
    public string? Read(MacAddress mac)
    {
        string text;
        try
        {
            text = File.ReadAllText(PathOf(mac)).Trim();
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        return IsToken(text) ? text : null;
    }

    /// <summary>The host's token, made now when it has none or when <paramref name="rotate"/> asks for a new one.</summary>
    public string Issue(MacAddress mac, bool rotate)
    {
        if (!rotate && Read(mac) is { } existing) return existing;
        if (!OperatingSystem.IsWindows()) Directory.CreateDirectory(Root, DirectoryMode);
        else Directory.CreateDirectory(Root);
        var token = RandomNumberGenerator.GetHexString(TokenLength, lowercase: true);
        files.Write(PathOf(mac), Encoding.ASCII.GetBytes(token + "\n"), FileMode);
        return token;
    }

    /// <summary>
    /// Compares an <c>Authorization</c> header value with the host's token in constant time: both are hashed
    /// first, so neither the position of the first difference nor the length of a guess shows in the timing.
    /// </summary>
    public OverlayTokenCheck Check(MacAddress mac, string? authorization)
    {
        // RFC 9110 §11.1: the scheme is case-insensitive; RFC 6750 §2.1: "Bearer" 1*SP token.
        const string scheme = "Bearer ";
        if (string.IsNullOrEmpty(authorization) || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            return OverlayTokenCheck.Missing;
        if (Read(mac) is not { } expected) return OverlayTokenCheck.NotIssued;
        var presented = authorization.AsSpan(scheme.Length).Trim();
        Span<byte> a = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> b = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented.ToString()), a);
        SHA256.HashData(Encoding.ASCII.GetBytes(expected), b);
        return CryptographicOperations.FixedTimeEquals(a, b) ? OverlayTokenCheck.Accepted : OverlayTokenCheck.Wrong;
    }

    private static bool IsToken(string text) => text.Length == TokenLength && text.All(char.IsAsciiHexDigitLower);
}
