using System.Text;

namespace NetbootPi.Agent.Apply;

/// <summary>
/// The files the agent owns in a directory it shares with others (<c>/etc/systemd/network</c>, <c>/etc/netctl</c>):
/// exactly those whose names start with <see cref="Prefix"/>. A file without the prefix is never read, written or
/// removed, whoever wrote it.
/// </summary>
public sealed record OwnedFiles(string Directory, string Prefix)
{
    /// <summary>The owned files there now, by name (a missing directory has none).</summary>
    public IReadOnlyDictionary<string, string> Read()
    {
        var found = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!System.IO.Directory.Exists(Directory)) return found;
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, Prefix + "*"))
        {
            var name = Path.GetFileName(path);
            // Hidden names are atomic writes in progress (ours or another tool's), never configuration.
            if (name.StartsWith('.')) continue;
            found[name] = File.ReadAllText(path, Encoding.UTF8);
        }
        return found;
    }

    /// <summary>
    /// What turns the files there now into <paramref name="wanted"/> (names, each with the prefix, and contents):
    /// additions and changes in name order, then removals of owned files no longer wanted. Unchanged files are left out.
    /// </summary>
    public IReadOnlyList<FileChange> Diff(IReadOnlyDictionary<string, string> wanted)
    {
        foreach (var name in wanted.Keys)
        {
            if (!name.StartsWith(Prefix, StringComparison.Ordinal) || name.Contains('/') || name.StartsWith('.'))
                throw new ArgumentException($"'{name}' is not a file name with the owned prefix {Prefix}", nameof(wanted));
        }
        var now = Read();
        var changes = new List<FileChange>();
        foreach (var (name, content) in wanted.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            var before = now.GetValueOrDefault(name);
            if (before != content) changes.Add(new FileChange(Path.Combine(Directory, name), before, content));
        }
        foreach (var (name, content) in now)
            if (!wanted.ContainsKey(name)) changes.Add(new FileChange(Path.Combine(Directory, name), content, null));
        return changes;
    }
}
