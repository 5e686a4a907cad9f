using NetbootPi.Agent.Site.Yaml;

namespace NetbootPi.Agent.Site;

/// <summary>
/// <c>power-secrets.yaml</c> beside the site file: the BMC accounts, by host name
/// (<c>napalm: { username: root, password: ... }</c>). Kept out of the site file so that the site can be shared,
/// printed and versioned; refused unless only its owner can read it (mode 0600 or 0400).
/// </summary>
public static class PowerSecrets
{
    public const string FileName = "power-secrets.yaml";

    public static string PathFor(string siteFile) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(siteFile)) ?? "/", FileName);

    /// <summary>The accounts in <paramref name="path"/>; null with the reasons in <paramref name="errors"/> (never a password).</summary>
    public static Dictionary<string, BmcCredentials>? Load(string path, List<SiteError> errors)
    {
        var at = new SourceLocation(path, 1, 1);
        string text;
        try
        {
            if (!File.Exists(path))
            {
                errors.Add(new SiteError(at, "(file)", "no such file (expected the BMC accounts here, mode 0600: HOST: { username: NAME, password: SECRET })"));
                return null;
            }
            var mode = OperatingSystem.IsWindows() ? UnixFileMode.None : File.GetUnixFileMode(path);
            if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            {
                errors.Add(new SiteError(at, "(file)", $"mode {Convert.ToString((int)mode, 8)} lets others read or change the BMC passwords (expected 0600: chmod 600 {path})"));
                return null;
            }
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(new SiteError(at, "(file)", $"cannot read it: {e.Message} (the agent and netbootpi power run as root, which can)"));
            return null;
        }
        var before = errors.Count;
        var root = YamlTreeReader.Read(path, text, errors);
        if (errors.Count != before) return null;
        var result = new Dictionary<string, BmcCredentials>(StringComparer.OrdinalIgnoreCase);
        if (root is YamlScalar { IsNull: true } || root is null) return result;
        if (root is not YamlMapping hosts)
        {
            errors.Add(new SiteError(root.Location, "(document)", $"expected a mapping of host names to {{ username, password }}, found {root.Describe()}"));
            return null;
        }
        foreach (var (key, value) in hosts.Entries)
        {
            string? user = null, password = null;
            if (value is YamlMapping account)
            {
                foreach (var (k, v) in account.Entries)
                {
                    var s = v is YamlScalar { IsNull: false } sc ? sc.Value : null;
                    if (k.Value == "username") user = s;
                    else if (k.Value == "password") password = s;
                    else errors.Add(new SiteError(k.Location, $"{key.Value}.{k.Value}", "unknown key (expected username and password)"));
                }
            }
            // The value itself is never quoted back: it may be a password written in the wrong place.
            if (user is null || password is null)
                errors.Add(new SiteError(key.Location, key.Value, "expected a mapping with username and password (both strings)"));
            else result[key.Value] = new BmcCredentials(user, password);
        }
        return errors.Count == before ? result : null;
    }
}
