namespace NetbootPi.Agent.Site;

/// <summary>Roles as the site file spells them, for messages, summaries and rendered comments.</summary>
public static class NetworkRoleExtensions
{
    /// <summary>The word <c>role:</c> takes for <paramref name="role"/>.</summary>
    public static string SiteName(this NetworkRole role) => role switch
    {
        NetworkRole.Management => "management",
        NetworkRole.Boot => "boot",
        NetworkRole.Wan => "wan",
        _ => "other",
    };
}
