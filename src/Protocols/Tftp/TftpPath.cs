namespace NetbootPi.Protocols.Tftp;

/// <summary>Turning a client's filename into a path under a root, and resolving symlinks like realpath(3).</summary>
internal static class TftpPath
{
    /// <summary>Linux gives up after 40 links (ELOOP); so do we.</summary>
    private const int MaxLinks = 40;

    /// <summary>
    /// Splits a requested name into components relative to the root: <c>\</c> counts as a separator, leading
    /// separators are dropped (clients send <c>/pxelinux.0</c> meaning the root), empty and <c>.</c> components are
    /// skipped. Returns null with a reason for names that must be refused: NUL bytes, nothing left, <c>..</c>, or a
    /// DOS drive prefix.
    /// </summary>
    public static string[]? Split(string requested, out string refusal)
    {
        refusal = "";
        if (requested.Contains('\0'))
        {
            refusal = "name contains a NUL byte";
            return null;
        }
        var parts = requested.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var kept = new List<string>(parts.Length);
        foreach (var part in parts)
        {
            if (part == ".") continue;
            if (part == "..")
            {
                refusal = "name contains a '..' component";
                return null;
            }
            kept.Add(part);
        }
        if (kept.Count == 0)
        {
            refusal = "empty name";
            return null;
        }
        if (kept[0].Length == 2 && kept[0][1] == ':' && char.IsAsciiLetter(kept[0][0]))
        {
            refusal = "name is a DOS absolute path";
            return null;
        }
        return kept.ToArray();
    }

    /// <summary>
    /// The canonical absolute path with every symlink along the way resolved, or null on a link loop. Components
    /// that do not exist are kept as they are, so the result can be checked against the root before opening.
    /// </summary>
    public static string? Resolve(string absolutePath)
    {
        var links = 0;
        return Resolve(absolutePath, ref links);
    }

    private static string? Resolve(string absolutePath, ref int links)
    {
        var current = "/";
        foreach (var part in absolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }
            var next = Path.Join(current, part);
            var target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++links > MaxLinks) return null;
            var resolved = Resolve(Path.IsPathRooted(target) ? target : Path.Join(current, target), ref links);
            if (resolved is null) return null;
            current = resolved;
        }
        return current;
    }
}
