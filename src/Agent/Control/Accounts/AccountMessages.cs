using System.Text.Json.Serialization;

namespace NetbootPi.Agent.Control.Accounts;

// The bodies of the account endpoints. Requests are read strictly: an unknown or missing field is a 400 that says
// which, never a default that does something else than what was meant.

internal sealed record UserAddRequest(string Name, string Role, string Password);

internal sealed record UserNameRequest(string Name);

internal sealed record PasswordRequest(string Name, string Password);

internal sealed record TokenCreateRequest(string Name, string Role, string[]? Hosts = null);

internal sealed record TokenIdRequest(string Id);

/// <summary>POST /api/v1/login; <c>totp</c> is the app's code, or a recovery code, for a user with TOTP.</summary>
internal sealed record LoginRequest(string Name, string Password, string? Totp = null);

/// <summary>A user as listed: never the hash.</summary>
internal sealed record UserReply(string Name, string Role, DateTimeOffset Created, int FailedLogins, bool Locked, DateTimeOffset? LockedSince,
    string Totp = "off");

/// <summary>A token as listed: never the token, nor its hash.</summary>
internal sealed record TokenReply(string Id, string Name, string Role, string[] Hosts, DateTimeOffset Created, DateTimeOffset? LastUsed,
    bool Revoked, DateTimeOffset? RevokedAt);

/// <summary>POST /api/v1/tokens: the token itself, this once.</summary>
internal sealed record TokenCreatedReply(TokenReply Token, string Secret);

/// <summary>Any change to an account that went through: what it did, as a sentence.</summary>
internal sealed record AccountDoneReply(string Message);

/// <summary>POST /api/v1/login: who is logged in, the anti-CSRF token for changes, and when the session ends.</summary>
internal sealed record LoginReply(string User, string Role, string CsrfToken, DateTimeOffset IdleExpires, DateTimeOffset Expires);

/// <summary>POST /api/v1/users/totp/confirm.</summary>
internal sealed record TotpCodeRequest(string Name, string Code);

/// <summary>POST /api/v1/users/totp/enable: the secret (base32), its otpauth:// URI and the recovery codes, this once.</summary>
internal sealed record TotpEnrolReply(string User, string Secret, string Uri, string[] RecoveryCodes);

/// <summary>POST /api/v1/me/password: the caller's own password, and the new one.</summary>
internal sealed record OwnPasswordRequest(string Current, string Password);

/// <summary>GET /api/v1/health: the one answer given to anyone.</summary>
internal sealed record HealthReply(string Status);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(UserAddRequest))]
[JsonSerializable(typeof(UserNameRequest))]
[JsonSerializable(typeof(PasswordRequest))]
[JsonSerializable(typeof(OwnPasswordRequest))]
[JsonSerializable(typeof(TokenCreateRequest))]
[JsonSerializable(typeof(TokenIdRequest))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(UserReply[]))]
[JsonSerializable(typeof(TokenReply[]))]
[JsonSerializable(typeof(TokenCreatedReply))]
[JsonSerializable(typeof(AccountDoneReply))]
[JsonSerializable(typeof(LoginReply))]
[JsonSerializable(typeof(HealthReply))]
[JsonSerializable(typeof(TotpCodeRequest))]
[JsonSerializable(typeof(TotpEnrolReply))]
internal sealed partial class AccountJson : JsonSerializerContext;
