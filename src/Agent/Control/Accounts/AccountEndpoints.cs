using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace NetbootPi.Agent.Control.Accounts;

/// <summary>
/// Users and API tokens on the control API, for admins (<c>netbootpi user</c> and <c>netbootpi token</c> use them
/// over the socket): list, add, remove, set a password, unlock; create, list, revoke. Every change is logged with
/// who asked and how it ended; no answer carries a password hash or a token's hash, and a token itself only in the
/// answer that creates it.
/// </summary>
public sealed partial class AccountEndpoints(AccountStore store, PasswordHasher hasher, SessionStore sessions, ILogger<AccountEndpoints> logger) : IControlEndpoints
{
    public const string UsersPath = "/api/v1/users";
    public const string UserRemovePath = "/api/v1/users/remove";
    public const string UserPasswordPath = "/api/v1/users/password";
    public const string UserUnlockPath = "/api/v1/users/unlock";
    public const string TokensPath = "/api/v1/tokens";
    public const string TokenRevokePath = "/api/v1/tokens/revoke";

    /// <summary>Passwords shorter than this are refused: with the lockout and rate limits, long enough to stop guessing.</summary>
    public const int MinPasswordLength = 10;

    public IEnumerable<ControlRoute> Routes =>
    [
        new("GET", UsersPath, ControlRole.Admin, Changes: false, ListUsersAsync)
        {
            Summary = "The users: name, role, created, whether locked (no password hash).", Reply = AccountJson.Default.UserReplyArray,
        },
        new("POST", UsersPath, ControlRole.Admin, Changes: true, AddUserAsync)
        {
            Summary = "Adds a user with a role and a password (10 characters or more).", Body = AccountJson.Default.UserAddRequest, Reply = AccountJson.Default.AccountDoneReply,
        },
        new("POST", UserRemovePath, ControlRole.Admin, Changes: true, RemoveUserAsync)
        {
            Summary = "Removes a user and ends their sessions.", Body = AccountJson.Default.UserNameRequest, Reply = AccountJson.Default.AccountDoneReply,
        },
        new("POST", UserPasswordPath, ControlRole.Admin, Changes: true, SetPasswordAsync)
        {
            Summary = "Sets a user's password and ends their sessions.", Body = AccountJson.Default.PasswordRequest, Reply = AccountJson.Default.AccountDoneReply,
        },
        new("POST", UserUnlockPath, ControlRole.Admin, Changes: true, UnlockAsync)
        {
            Summary = "Lifts a user's lockout after failed logins.", Body = AccountJson.Default.UserNameRequest, Reply = AccountJson.Default.AccountDoneReply,
        },
        new("GET", TokensPath, ControlRole.Admin, Changes: false, ListTokensAsync)
        {
            Summary = "The API tokens: id, name, role, hosts, created, last use, revoked (never the token).", Reply = AccountJson.Default.TokenReplyArray,
        },
        new("POST", TokensPath, ControlRole.Admin, Changes: true, CreateTokenAsync)
        {
            Summary = "Makes an API token for a role, optionally scoped to hosts; 201 with the token, shown this once.",
            Body = AccountJson.Default.TokenCreateRequest, Reply = AccountJson.Default.TokenCreatedReply,
        },
        new("POST", TokenRevokePath, ControlRole.Admin, Changes: true, RevokeAsync)
        {
            Summary = "Revokes an API token.", Body = AccountJson.Default.TokenIdRequest, Reply = AccountJson.Default.AccountDoneReply,
        },
    ];

    private Task ListUsersAsync(HttpContext context, ControlCaller caller) =>
        ControlRouter.WriteAsync(context, StatusCodes.Status200OK, [.. store.Users.Select(Reply)], AccountJson.Default.UserReplyArray);

    private async Task AddUserAsync(HttpContext context, ControlCaller caller)
    {
        if (await ControlBody.ReadAsync(context, AccountJson.Default.UserAddRequest).ConfigureAwait(false) is not { } r) return;
        if (await CheckName(context, r.Name).ConfigureAwait(false) || await CheckPassword(context, r.Password).ConfigureAwait(false)) return;
        if (AccountStore.ParseRole(r.Role) is not { } role)
        {
            await ControlRouter.ReplyAsync(context, StatusCodes.Status400BadRequest, $"role: '{r.Role}' is not viewer, operator or admin").ConfigureAwait(false);
            return;
        }
        var hash = await hasher.HashAsync(r.Password, context.RequestAborted).ConfigureAwait(false);
        var done = store.AddUser(r.Name, role, hash);
        await Done(context, caller, done, $"added user {r.Name} ({r.Role})", $"user {r.Name} exists already").ConfigureAwait(false);
    }

    private async Task RemoveUserAsync(HttpContext context, ControlCaller caller)
    {
        if (await ControlBody.ReadAsync(context, AccountJson.Default.UserNameRequest).ConfigureAwait(false) is not { } r) return;
        var done = store.RemoveUser(r.Name);
        if (done == AccountChange.Done) sessions.RemoveUser(r.Name);
        await Done(context, caller, done, $"removed user {r.Name}", null).ConfigureAwait(false);
    }

    private async Task SetPasswordAsync(HttpContext context, ControlCaller caller)
    {
        if (await ControlBody.ReadAsync(context, AccountJson.Default.PasswordRequest).ConfigureAwait(false) is not { } r) return;
        if (await CheckPassword(context, r.Password).ConfigureAwait(false)) return;
        if (store.FindUser(r.Name) is null)
        {
            await Done(context, caller, AccountChange.NotFound, "", null).ConfigureAwait(false);
            return;
        }
        var hash = await hasher.HashAsync(r.Password, context.RequestAborted).ConfigureAwait(false);
        var done = store.SetPassword(r.Name, hash);
        // Whoever was logged in with the old password is not any more.
        if (done == AccountChange.Done) sessions.RemoveUser(r.Name);
        await Done(context, caller, done, $"set the password of user {r.Name}", null).ConfigureAwait(false);
    }

    private async Task UnlockAsync(HttpContext context, ControlCaller caller)
    {
        if (await ControlBody.ReadAsync(context, AccountJson.Default.UserNameRequest).ConfigureAwait(false) is not { } r) return;
        var was = store.FindUser(r.Name);
        var done = store.Unlock(r.Name);
        await Done(context, caller, done, was is { Locked: true } ? $"unlocked user {r.Name}" : $"user {r.Name} was not locked; its failed logins are cleared", null).ConfigureAwait(false);
    }

    private Task ListTokensAsync(HttpContext context, ControlCaller caller) =>
        ControlRouter.WriteAsync(context, StatusCodes.Status200OK, [.. store.Tokens.Select(Reply)], AccountJson.Default.TokenReplyArray);

    private async Task CreateTokenAsync(HttpContext context, ControlCaller caller)
    {
        if (await ControlBody.ReadAsync(context, AccountJson.Default.TokenCreateRequest).ConfigureAwait(false) is not { } r) return;
        if (r.Name.Length is 0 or > 64 || r.Name.Any(char.IsControl))
        {
            await ControlRouter.ReplyAsync(context, StatusCodes.Status400BadRequest, "name: a token's name is 1 to 64 printable characters (what it is for)").ConfigureAwait(false);
            return;
        }
        if (AccountStore.ParseRole(r.Role) is not { } role)
        {
            await ControlRouter.ReplyAsync(context, StatusCodes.Status400BadRequest, $"role: '{r.Role}' is not viewer, operator or admin").ConfigureAwait(false);
            return;
        }
        var hosts = r.Hosts ?? [];
        if (hosts.FirstOrDefault(h => h.Length is 0 or > 63 || h.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_' and not '.')) is { } bad)
        {
            await ControlRouter.ReplyAsync(context, StatusCodes.Status400BadRequest, $"hosts: '{bad}' is not a host name").ConfigureAwait(false);
            return;
        }
        var (token, secret) = store.CreateToken(r.Name, role, hosts);
        LogAudit(caller.Name, caller.Detail, $"created {token} with role {r.Role}{(token.IsScoped ? $" for hosts {string.Join(", ", token.Hosts)}" : "")}");
        await ControlRouter.WriteAsync(context, StatusCodes.Status201Created, new TokenCreatedReply(Reply(token), secret), AccountJson.Default.TokenCreatedReply).ConfigureAwait(false);
    }

    private async Task RevokeAsync(HttpContext context, ControlCaller caller)
    {
        if (await ControlBody.ReadAsync(context, AccountJson.Default.TokenIdRequest).ConfigureAwait(false) is not { } r) return;
        var token = store.Tokens.FirstOrDefault(t => t.Id == r.Id);
        var done = store.Revoke(r.Id);
        if (done == AccountChange.NotFound)
        {
            await ControlRouter.ReplyAsync(context, StatusCodes.Status404NotFound, $"no token {r.Id} (netbootpi token list shows them)").ConfigureAwait(false);
            return;
        }
        await Done(context, caller, done, token!.IsRevoked ? $"{token} was revoked already" : $"revoked {token}", null).ConfigureAwait(false);
    }

    private async Task<bool> CheckName(HttpContext context, string name)
    {
        if (AccountStore.ValidName(name)) return false;
        await ControlRouter.ReplyAsync(context, StatusCodes.Status400BadRequest, $"name: '{name}' is not a user name ({AccountStore.NameRule})").ConfigureAwait(false);
        return true;
    }

    /// <summary>True after answering 400 when <paramref name="password"/> is too short or too long for any account.</summary>
    internal static async Task<bool> CheckPassword(HttpContext context, string password)
    {
        if (password.Length >= MinPasswordLength && password.Length <= 1024) return false;
        await ControlRouter.ReplyAsync(context, StatusCodes.Status400BadRequest,
            string.Create(CultureInfo.InvariantCulture, $"password: {MinPasswordLength} to 1024 characters (this one has {password.Length})")).ConfigureAwait(false);
        return true;
    }

    private async Task Done(HttpContext context, ControlCaller caller, AccountChange done, string message, string? exists)
    {
        switch (done)
        {
            case AccountChange.Done:
                LogAudit(caller.Name, caller.Detail, message);
                await ControlRouter.WriteAsync(context, StatusCodes.Status200OK, new AccountDoneReply(message), AccountJson.Default.AccountDoneReply).ConfigureAwait(false);
                break;
            case AccountChange.Exists:
                await ControlRouter.ReplyAsync(context, StatusCodes.Status409Conflict, exists!).ConfigureAwait(false);
                break;
            default:
                await ControlRouter.ReplyAsync(context, StatusCodes.Status404NotFound, "no such user (netbootpi user list shows them)").ConfigureAwait(false);
                break;
        }
    }

    internal static UserReply Reply(UserAccount u) => new(u.Name, AccountStore.RoleName(u.Role), u.Created, u.FailedLogins, u.Locked, u.LockedSince, u.Totp?.Word ?? "off");

    internal static TokenReply Reply(ApiToken t) =>
        new(t.Id, t.Name, AccountStore.RoleName(t.Role), [.. t.Hosts], t.Created, t.LastUsed, t.IsRevoked, t.Revoked);

    [LoggerMessage(EventId = 620, Level = LogLevel.Information, Message = "accounts: {Name} ({Detail}) {What}")]
    private partial void LogAudit(string name, string detail, string what);
}
