using System.Text.Json.Serialization;

namespace NetbootPi.Agent.Control.Accounts;

// accounts.json in the state directory, as written: snake_case like the site file, roles as words, times as ISO 8601.

internal sealed record AccountsFile(int Version, UserEntry[] Users, TokenEntry[] Tokens);

internal sealed record UserEntry(string Name, string Role, string Password, DateTimeOffset Created, int FailedLogins, DateTimeOffset? LockedSince);

internal sealed record TokenEntry(string Id, string Name, string Role, string[] Hosts, string Sha256, DateTimeOffset Created,
    DateTimeOffset? LastUsed, DateTimeOffset? Revoked);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(AccountsFile))]
internal sealed partial class AccountsJson : JsonSerializerContext;
