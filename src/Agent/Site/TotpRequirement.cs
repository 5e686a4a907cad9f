namespace NetbootPi.Agent.Site;

/// <summary>
/// Whose logins over the network must give a TOTP code whether or not they enrolled (<c>server.api_require_totp</c>):
/// nobody (only those who enrolled), admins, or every user. A user it covers who has no confirmed TOTP cannot log
/// in until enrolled on the box.
/// </summary>
public enum TotpRequirement { None, Admins, All }
