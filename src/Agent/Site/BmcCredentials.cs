namespace NetbootPi.Agent.Site;

/// <summary>A BMC account from the power secrets file. <see cref="ToString"/> never shows the password.</summary>
public sealed class BmcCredentials(string username, string password)
{
    public string Username { get; } = username;
    public string Password { get; } = password;

    public override string ToString() => $"{Username} (password hidden)";
}
