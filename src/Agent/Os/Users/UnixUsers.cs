using System.Globalization;

namespace NetbootPi.Agent.Os.Users;

/// <summary>
/// Local users from <c>/etc/passwd</c> (the image has no directory service), read on every call: a user added with
/// useradd counts at once, without restarting the agent.
/// </summary>
public static class UnixUsers
{
    /// <summary>A local user: name, uid, home folder and login shell.</summary>
    public sealed record User(string Name, uint Uid, string Home, string Shell);

    /// <summary>The shells that refuse a login: a terminal for such a user would only print that and end.</summary>
    private static readonly string[] NoLogin = ["/usr/sbin/nologin", "/sbin/nologin", "/bin/false", "/usr/bin/false"];

    /// <summary>The local user <paramref name="name"/>, or null when there is none (or no readable file).</summary>
    public static User? Find(string name, string passwdFile = "/etc/passwd")
    {
        try
        {
            foreach (var line in File.ReadLines(passwdFile))
            {
                // name:password:UID:GID:GECOS:home:shell
                var fields = line.Split(':');
                if (fields.Length >= 7 && fields[0] == name
                    && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
                    // An empty shell field means /bin/sh (passwd(5)).
                    return new User(name, uid, fields[5], fields[6].Length == 0 ? "/bin/sh" : fields[6]);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }

    /// <summary>Whether <paramref name="user"/>'s shell lets them log in (not nologin or false).</summary>
    public static bool MayLogIn(User user) => !NoLogin.Contains(user.Shell, StringComparer.Ordinal);
}
