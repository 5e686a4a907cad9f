using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Control.Accounts;

// The login's second step, after a right password: the TOTP code (or a recovery code) of a user who has TOTP, and
// server.api_require_totp for those who must have it.
public sealed partial class SessionEndpoints
{
    /// <summary>
    /// What every failed login answers, whatever was wrong: which part was wrong would tell a guesser that the
    /// password was right, and whether a user has TOTP.
    /// </summary>
    public const string WrongLogin = "wrong name, password or TOTP code";

    /// <summary>True after refusing the login (the reply written): a code missing or wrong, or TOTP required and not enrolled.</summary>
    // The store and the requirement come as arguments: a primary constructor's parameters are not in scope in another part.
    private async Task<bool> RefuseSecondFactorAsync(HttpContext context, AccountStore store, TotpRequirement requirement, UserAccount user, string? code,
        string address)
    {
        if (!user.HasTotp)
        {
            if (requirement == TotpRequirement.None || (requirement == TotpRequirement.Admins && user.Role != ControlRole.Admin)) return false;
            // Only after the right password: this tells nothing to whoever does not know it.
            LogLoginRefused(user.Name, address, "no TOTP, which server.api_require_totp requires");
            await ControlRouter.ReplyAsync(context, StatusCodes.Status403Forbidden,
                $"user {user.Name} must log in with TOTP (server.api_require_totp: {requirement.ToString().ToLowerInvariant()}) and has none: on the box, " +
                $"netbootpi user totp enable {user.Name}, scan its QR code, then netbootpi user totp confirm {user.Name} CODE").ConfigureAwait(false);
            return true;
        }
        string why;
        if (string.IsNullOrWhiteSpace(code)) why = "no TOTP code";
        else
        {
            var (result, left) = store.UseSecondFactor(user.Name, code.Trim());
            switch (result)
            {
                case SecondFactor.Totp:
                    return false;
                case SecondFactor.RecoveryCode:
                    LogRecoveryCode(user.Name, address, left);
                    return false;
            }
            why = "wrong or used TOTP code";
        }
        var now = store.RecordFailure(user.Name);
        LogLoginRefused(user.Name, address, now is { Locked: true } ? why + "; now locked" : why);
        await ControlRouter.ReplyAsync(context, StatusCodes.Status401Unauthorized, WrongLogin).ConfigureAwait(false);
        return true;
    }

    [LoggerMessage(EventId = 625, Level = LogLevel.Warning, Message = "accounts: user {User} logged in from {Address} with a recovery code; {Left} left (netbootpi user totp disable, then enable, makes new ones)")]
    private partial void LogRecoveryCode(string user, string address, int left);
}
