using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Control.Accounts;

/// <summary>
/// Users' TOTP on the control API, for admins (<c>netbootpi user totp enable|confirm|disable</c> over the socket).
/// <c>enable</c> makes a secret and ten recovery codes and answers them this once (the secret, its
/// <c>otpauth://</c> URI and the codes); the enrolment waits until <c>confirm</c> gets a first code from the app;
/// only then does a login need one. No other answer carries the secret, and no log line.
/// </summary>
public sealed partial class TotpEndpoints(AccountStore store, SiteState state, ILogger<TotpEndpoints> logger) : IControlEndpoints
{
    public const string EnablePath = "/api/v1/users/totp/enable";
    public const string ConfirmPath = "/api/v1/users/totp/confirm";
    public const string DisablePath = "/api/v1/users/totp/disable";

    /// <summary>The issuer an authenticator app shows above the code.</summary>
    public const string Issuer = "NetbootPi";

    public IEnumerable<ControlRoute> Routes =>
    [
        new("POST", EnablePath, ControlRole.Admin, Changes: true, EnableAsync)
        {
            Summary = "Makes a user's TOTP secret and ten recovery codes, pending until confirmed: the secret, its otpauth:// URI and the codes are in this answer only.",
            Body = AccountJson.Default.UserNameRequest, Reply = AccountJson.Default.TotpEnrolReply,
        },
        new("POST", ConfirmPath, ControlRole.Admin, Changes: true, ConfirmAsync)
        {
            Summary = "Confirms a pending enrolment with a first code from the app: from then on the user's logins need a code.",
            Body = AccountJson.Default.TotpCodeRequest, Reply = AccountJson.Default.AccountDoneReply,
        },
        new("POST", DisablePath, ControlRole.Admin, Changes: true, DisableAsync)
        {
            Summary = "Removes a user's TOTP and recovery codes.", Body = AccountJson.Default.UserNameRequest, Reply = AccountJson.Default.AccountDoneReply,
        },
    ];

    private async Task EnableAsync(HttpContext context, ControlCaller caller)
    {
        if (await ControlBody.ReadAsync(context, AccountJson.Default.UserNameRequest).ConfigureAwait(false) is not { } r) return;
        var secret = Totp.NewSecret();
        var (codes, hashes) = RecoveryCodes.Create();
        switch (store.EnrolTotp(r.Name, secret, hashes))
        {
            case AccountChange.NotFound:
                await ControlRouter.ReplyAsync(context, StatusCodes.Status404NotFound, "no such user (netbootpi user list shows them)").ConfigureAwait(false);
                return;
            case AccountChange.Exists:
                await ControlRouter.ReplyAsync(context, StatusCodes.Status409Conflict,
                    $"user {r.Name} has TOTP already; to enrol another phone, disable it first (netbootpi user totp disable {r.Name})").ConfigureAwait(false);
                return;
        }
        LogAudit(caller.Name, caller.Detail, $"enrolled user {r.Name} in TOTP (pending until confirmed), with {codes.Length} recovery codes");
        var account = $"{r.Name}@{state.Current.Site.Name}";
        await ControlRouter.WriteAsync(context, StatusCodes.Status201Created,
            new TotpEnrolReply(r.Name, Totp.Base32(secret), Totp.Uri(Issuer, account, secret), codes), AccountJson.Default.TotpEnrolReply).ConfigureAwait(false);
    }

    private async Task ConfirmAsync(HttpContext context, ControlCaller caller)
    {
        if (await ControlBody.ReadAsync(context, AccountJson.Default.TotpCodeRequest).ConfigureAwait(false) is not { } r) return;
        switch (store.ConfirmTotp(r.Name, r.Code.Trim()))
        {
            case SecondFactor.NotFound:
                await ControlRouter.ReplyAsync(context, StatusCodes.Status404NotFound, "no such user (netbootpi user list shows them)").ConfigureAwait(false);
                return;
            case SecondFactor.NoTotp:
                var has = store.FindUser(r.Name) is { HasTotp: true };
                await ControlRouter.ReplyAsync(context, StatusCodes.Status409Conflict, has
                    ? $"user {r.Name}'s TOTP is confirmed already"
                    : $"user {r.Name} has no TOTP enrolment to confirm (netbootpi user totp enable {r.Name} makes one)").ConfigureAwait(false);
                return;
            case SecondFactor.Wrong:
                LogAudit(caller.Name, caller.Detail, $"did not confirm user {r.Name}'s TOTP: wrong code");
                await ControlRouter.ReplyAsync(context, StatusCodes.Status422UnprocessableEntity,
                    $"code: not the code of user {r.Name}'s new secret now ({Totp.Digits} digits from the app; is the phone's clock right?); the enrolment stays pending").ConfigureAwait(false);
                return;
        }
        var message = $"confirmed user {r.Name}'s TOTP: a login needs a code from now on";
        LogAudit(caller.Name, caller.Detail, message);
        await ControlRouter.WriteAsync(context, StatusCodes.Status200OK, new AccountDoneReply(message), AccountJson.Default.AccountDoneReply).ConfigureAwait(false);
    }

    private async Task DisableAsync(HttpContext context, ControlCaller caller)
    {
        if (await ControlBody.ReadAsync(context, AccountJson.Default.UserNameRequest).ConfigureAwait(false) is not { } r) return;
        var had = store.FindUser(r.Name)?.Totp;
        if (store.DisableTotp(r.Name) == AccountChange.NotFound)
        {
            await ControlRouter.ReplyAsync(context, StatusCodes.Status404NotFound, "no such user (netbootpi user list shows them)").ConfigureAwait(false);
            return;
        }
        var message = had is null ? $"user {r.Name} had no TOTP" : $"disabled user {r.Name}'s TOTP and its recovery codes";
        if (had is not null) LogAudit(caller.Name, caller.Detail, message);
        await ControlRouter.WriteAsync(context, StatusCodes.Status200OK, new AccountDoneReply(message), AccountJson.Default.AccountDoneReply).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 624, Level = LogLevel.Information, Message = "accounts: {Name} ({Detail}) {What}")]
    private partial void LogAudit(string name, string detail, string what);
}
