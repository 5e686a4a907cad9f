using System.Globalization;

namespace NetbootPi.Agent.Os.Users;

/// <summary>
/// Group facts from the files the box keeps them in: <c>/etc/group</c> (the image has no directory service) and
/// <c>/proc/PID/status</c> for the groups a process runs with. Read on every call: an account added to a group
/// counts from its next connection, without restarting the agent.
/// </summary>
public static class UnixGroups
{
    /// <summary>The id of group <paramref name="name"/>, or null when there is no such group (or no readable file).</summary>
    public static uint? IdOf(string name, string groupFile = "/etc/group")
    {
        try
        {
            foreach (var line in File.ReadLines(groupFile))
            {
                // name:password:GID:members
                var fields = line.Split(':');
                if (fields.Length >= 3 && fields[0] == name
                    && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
                    return gid;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }

    /// <summary>
    /// The supplementary groups process <paramref name="pid"/> runs with (the <c>Groups:</c> line of its status);
    /// empty when the process is gone or its status cannot be read.
    /// </summary>
    public static IReadOnlyCollection<uint> OfProcess(int pid, string procRoot = "/proc")
    {
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "status")))
            {
                if (!line.StartsWith("Groups:", StringComparison.Ordinal)) continue;
                var groups = new List<uint>();
                foreach (var word in line.AsSpan("Groups:".Length).Trim().ToString().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
                    if (uint.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out var gid)) groups.Add(gid);
                return groups;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return [];
    }
}
