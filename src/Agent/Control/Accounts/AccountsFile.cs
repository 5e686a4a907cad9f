using System.Text.Json.Serialization;

namespace NetbootPi.Agent.Control.Accounts;

// accounts.json in the state directory, as written: snake_case like the site file, roles as words, times as ISO 8601.

internal sealed record AccountsFile(int Version, UserEntry[] Users, TokenEntry[] Tokens);

internal sealed record UserEntry(string Name, string Role, string Password, DateTimeOffset Created, int FailedLogins, DateTimeOffset? LockedSince,
    TotpEntry? Totp = null);

/// <summary>A user's TOTP: the secret in base32, whether confirmed, the last step used, the SHA-256 of the unused recovery codes.</summary>
internal sealed record TotpEntry(string Secret, bool Confirmed, long? LastStep, string[] RecoveryCodes, DateTimeOffset Created);

internal sealed record TokenEntry(string Id, string Name, string Role, string[] Hosts, string Sha256, DateTimeOffset Created,
    DateTimeOffset? LastUsed, DateTimeOffset? Revoked);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(AccountsFile))]
internal sealed partial class AccountsJson : JsonSerializerContext;
