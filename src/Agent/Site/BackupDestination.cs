using System.Globalization;

namespace NetbootPi.Agent.Site;

/// <summary>
/// A place backups go (<c>backup.to</c>, <c>--to</c>): an absolute folder; a folder on an SSH server, as
/// <c>sftp://USER@HOST[:PORT]/PATH</c> or scp's <c>USER@HOST:PATH</c> (a relative path is under the user's home);
/// or a git repository, <c>git+ssh://USER@HOST[:PORT]/PATH</c>. <see cref="Text"/> is as written.
/// </summary>
public sealed class BackupDestination(BackupDestinationKind kind, string text, string user, string host, int port, string path)
{
    public BackupDestinationKind Kind => kind;
    public string Text => text;
    public string User => user;
    public string Host => host;
    public int Port => port;
    public string Path => path;

    public bool IsRemote => Kind != BackupDestinationKind.Folder;

    /// <summary>How ssh's known_hosts names the host: <c>HOST</c> on port 22, <c>[HOST]:PORT</c> elsewhere.</summary>
    public string KnownHostsName => Port == 22 ? Host : $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Where a backup named <paramref name="name"/> is there, for messages.</summary>
    public string Describe(string name) => Kind switch
    {
        BackupDestinationKind.Folder => System.IO.Path.Combine(Path, name),
        BackupDestinationKind.Git => $"{Text} ({name})",
        _ => $"{User}@{Host}:{(Path.EndsWith('/') ? Path : Path + "/")}{name}",
    };

    /// <summary>Reads <paramref name="text"/>; false with <paramref name="problem"/> (what was expected) when it is none of the forms.</summary>
    public static bool TryParse(string text, out BackupDestination destination, out string problem)
    {
        destination = null!;
        problem = "";
        if (System.IO.Path.IsPathFullyQualified(text))
        {
            destination = new BackupDestination(BackupDestinationKind.Folder, text, "", "", 0, text);
            return true;
        }
        foreach (var (scheme, kind) in new[] { ("sftp://", BackupDestinationKind.Sftp), ("git+ssh://", BackupDestinationKind.Git) })
        {
            if (!text.StartsWith(scheme, StringComparison.Ordinal)) continue;
            var rest = text[scheme.Length..];
            var slash = rest.IndexOf('/');
            if (slash < 0 || slash == rest.Length - 1)
            {
                problem = $"'{text}' names no path after the host (expected {scheme}USER@HOST[:PORT]/PATH)";
                return false;
            }
            if (!TryAuthority(rest[..slash], out var user, out var host, out var port, out problem)) return false;
            destination = new BackupDestination(kind, text, user, host, port, rest[slash..]);
            return true;
        }
        // USER@[IPV6]:PATH: the path's colon is the one after the bracket.
        var colon = text.Contains("@[", StringComparison.Ordinal) && text.IndexOf("]:", StringComparison.Ordinal) is var b and > 0 ? b + 1 : text.IndexOf(':');
        if (colon > 0 && text.Contains('@', StringComparison.Ordinal) && !text.Contains("://", StringComparison.Ordinal))
        {
            if (!TryAuthority(text[..colon], out var user, out var host, out _, out problem)) return false;
            var path = text[(colon + 1)..];
            destination = new BackupDestination(BackupDestinationKind.Sftp, text, user, host, 22, path.Length == 0 ? "." : path);
            return true;
        }
        problem = $"'{text}' is not a place backups can go (expected an absolute folder like /mnt/backup/netbootpi, "
            + "an SSH server's folder as sftp://USER@HOST[:PORT]/PATH or USER@HOST:PATH, or a git repository as git+ssh://USER@HOST[:PORT]/PATH)";
        return false;
    }

    private static bool TryAuthority(string text, out string user, out string host, out int port, out string problem)
    {
        user = host = problem = "";
        port = 22;
        var at = text.IndexOf('@');
        if (at <= 0)
        {
            problem = $"'{text}' names no user (expected USER@HOST: the account on the destination whose authorized_keys holds the box's key)";
            return false;
        }
        user = text[..at];
        host = text[(at + 1)..];
        if (host.StartsWith('['))
        {
            // An IPv6 address in brackets, with a port after them or not.
            var close = host.IndexOf(']');
            var after = close < 0 ? "" : host[(close + 1)..];
            if (close < 0 || (after.Length > 0 && !after.StartsWith(':')))
            {
                problem = $"'{host}' is not [IPV6] or [IPV6]:PORT";
                return false;
            }
            if (after.Length > 0 && !TryPort(after[1..], ref port, out problem)) return false;
            host = host[1..close];
        }
        else if (host.LastIndexOf(':') is var c and > 0)
        {
            if (!TryPort(host[(c + 1)..], ref port, out problem)) return false;
            host = host[..c];
        }
        if (host.Length == 0 || user.Any(ch => char.IsWhiteSpace(ch) || ch is ':' or '/') || host.Any(ch => char.IsWhiteSpace(ch) || ch is '/' or '@'))
        {
            problem = $"'{text}' is not USER@HOST";
            return false;
        }
        return true;
    }

    private static bool TryPort(string text, ref int port, out string problem)
    {
        problem = "";
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            problem = $"'{text}' is not a port (1 to 65535)";
            return false;
        }
        return true;
    }
}
