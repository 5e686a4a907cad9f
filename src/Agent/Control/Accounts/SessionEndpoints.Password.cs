using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace NetbootPi.Agent.Control.Accounts;

// A user changing their own password over the network, from a session: the current password is asked again (a
// session left open on someone's desk is not enough), a wrong one counts as a failed login, and every session of the
// user ends afterwards, so a session stolen before the change is worth nothing after it.
public sealed partial class SessionEndpoints
{
    private async Task OwnPasswordAsync(HttpContext context, ControlCaller caller)
    {
        if (caller.Session is not { } session)
        {
            await ControlRouter.ReplyAsync(context, StatusCodes.Status409Conflict,
                $"{caller.Name} is not a logged-in user: a token has no password of its own (an admin sets a user's with netbootpi user passwd NAME)").ConfigureAwait(false);
            return;
        }
        if (await ControlBody.ReadAsync(context, AccountJson.Default.OwnPasswordRequest).ConfigureAwait(false) is not { } r) return;
        if (await AccountEndpoints.CheckPassword(context, r.Password).ConfigureAwait(false)) return;
        var store = logins.Store;
        var user = store.FindUser(session.User);
        var good = await hasher.VerifyAsync(r.Current, user?.PasswordHash, context.RequestAborted).ConfigureAwait(false);
        if (!good || user is null)
        {
            var now = user is null ? null : store.RecordFailure(user.Name);
            if (now is { Locked: true }) sessions.RemoveUser(session.User);
            LogOwnPasswordRefused(session.User, caller.Detail, now is { Locked: true } ? "wrong current password; now locked" : "wrong current password");
            await ControlRouter.ReplyAsync(context, StatusCodes.Status403Forbidden, now is { Locked: true }
                ? $"the current password is wrong, and account {session.User} is now locked; an admin lifts it with netbootpi user unlock {session.User}"
                : "the current password is wrong").ConfigureAwait(false);
            return;
        }
        var hash = await hasher.HashAsync(r.Password, context.RequestAborted).ConfigureAwait(false);
        store.SetPassword(user.Name, hash);
        store.RecordSuccess(user.Name);
        var ended = sessions.RemoveUser(user.Name);
        context.Response.Headers.Append("Set-Cookie", $"{CookieName}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict");
        LogOwnPassword(user.Name, caller.Detail, ended);
        await ControlRouter.WriteAsync(context, StatusCodes.Status200OK,
            new AccountDoneReply($"password of {user.Name} changed; {ended} session{(ended == 1 ? "" : "s")} ended, this one too: log in again"),
            AccountJson.Default.AccountDoneReply).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 629, Level = LogLevel.Information, Message = "accounts: user {User} ({Detail}) changed their own password; {Sessions} sessions ended")]
    private partial void LogOwnPassword(string user, string detail, int sessions);

    [LoggerMessage(EventId = 630, Level = LogLevel.Warning, Message = "accounts: user {User} ({Detail}) did not change their password: {Reason}")]
    private partial void LogOwnPasswordRefused(string user, string detail, string reason);
}
