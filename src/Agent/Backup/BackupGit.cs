using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NetbootPi.Agent.Os.Tools;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Backup;

/// <summary>
/// A git repository over SSH: each backup is a commit on the repository's default branch (its HEAD; <c>main</c> in
/// an empty one) adding the file at the top of the tree and removing the site's backups beyond <c>keep</c> (git's
/// history keeps them), pushed without force. A push is all or nothing: a failed one leaves the remote as it was.
/// The work clone (shallow: one commit) is in the cache, not the state directory, which every backup holds; it is
/// reset to the remote's branch before each run, so a run that failed leaves nothing for the next.
/// </summary>
internal sealed class BackupGit(IToolRunner tools, BackupDestination to, string[] ssh, string cacheDirectory)
{
    private static readonly TimeSpan ShortRun = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Push = TimeSpan.FromHours(2);

    /// <summary>The work clone's folder: one per repository.</summary>
    public string Clone { get; } = Path.Combine(cacheDirectory,
        "git-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(to.Text)))[..16]);

    private string Url => $"ssh://{to.User}@{(to.Host.Contains(':', StringComparison.Ordinal) ? $"[{to.Host}]" : to.Host)}:{to.Port.ToString(CultureInfo.InvariantCulture)}{to.Path}";

    /// <summary>The clone made to match the remote's branch (emptied when the remote has none yet); returns the branch.</summary>
    public async Task<string> ResetAsync(CancellationToken cancellation)
    {
        var refs = await GitAsync(null, ShortRun, cancellation, "ls-remote", "--symref", Url, "HEAD", "refs/heads/*").ConfigureAwait(false);
        var lines = refs.Split('\n');
        var branch = lines.Select(l => l.Split('\t')).FirstOrDefault(p => p.Length == 2 && p[1] == "HEAD" && p[0].StartsWith("ref: refs/heads/", StringComparison.Ordinal))?[0]["ref: refs/heads/".Length..]
            ?? "main";
        var exists = lines.Any(l => l.EndsWith("\trefs/heads/" + branch, StringComparison.Ordinal));
        if (!exists && Directory.Exists(Clone)) Directory.Delete(Clone, recursive: true);
        if (!Directory.Exists(Path.Combine(Clone, ".git")))
        {
            Directory.CreateDirectory(Clone);
            await GitAsync(Clone, ShortRun, cancellation, "init", "-q", "-b", branch).ConfigureAwait(false);
        }
        if (exists)
        {
            await GitAsync(Clone, Push, cancellation, "fetch", "-q", "--depth", "1", Url, "refs/heads/" + branch).ConfigureAwait(false);
            await GitAsync(Clone, ShortRun, cancellation, "checkout", "-q", "-f", "-B", branch, "FETCH_HEAD").ConfigureAwait(false);
            await GitAsync(Clone, ShortRun, cancellation, "clean", "-q", "-f", "-d", "-x").ConfigureAwait(false);
        }
        return branch;
    }

    /// <summary>Commits <paramref name="name"/> (already in the clone) and the removal of <paramref name="removed"/> and pushes them.</summary>
    public async Task CommitAndPushAsync(string branch, string name, IReadOnlyList<string> removed, string site, CancellationToken cancellation)
    {
        await GitAsync(Clone, ShortRun, cancellation, ["add", "-A", "--", name, .. removed]).ConfigureAwait(false);
        var message = $"netbootpi backup of site {site}: {name}" + (removed.Count > 0 ? $"\n\nRemoved beyond backup.keep: {string.Join(", ", removed)}" : "");
        await GitAsync(Clone, ShortRun, cancellation, "-c", "user.name=netbootpi", "-c", $"user.email=netbootpi@{site}", "commit", "-q", "-m", message).ConfigureAwait(false);
        await GitAsync(Clone, Push, cancellation, "push", "-q", Url, $"HEAD:refs/heads/{branch}").ConfigureAwait(false);
    }

    /// <summary>The backups at the top of the remote branch's tree.</summary>
    public async Task<IReadOnlyList<BackupListing>> ListAsync(CancellationToken cancellation)
    {
        await ResetAsync(cancellation).ConfigureAwait(false);
        return [.. new DirectoryInfo(Clone).EnumerateFiles().Where(f => BackupWriter.IsBackup(f.Name)).Select(f => new BackupListing(f.Name, f.Length))];
    }

    /// <summary>The git command in an argv (after any <c>-c NAME=VALUE</c>).</summary>
    private static string Verb(IEnumerable<string> args)
    {
        var list = args.ToList();
        var i = 0;
        while (i < list.Count - 1 && list[i] == "-c") i += 2;
        return list[i];
    }

    private Task<string> GitAsync(string? directory, TimeSpan limit, CancellationToken cancellation, params string[] args) =>
        GitAsync(directory, limit, cancellation, (IEnumerable<string>)args);

    private async Task<string> GitAsync(string? directory, TimeSpan limit, CancellationToken cancellation, IEnumerable<string> args)
    {
        string[] argv = directory is null ? [.. args] : ["-C", directory, .. args];
        var call = new ToolCall("git", argv)
        {
            Timeout = limit,
            Environment = new Dictionary<string, string>
            {
                // git runs this through a shell: every word quoted.
                ["GIT_SSH_COMMAND"] = "ssh " + string.Join(' ', ssh.Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'")),
                ["GIT_SSH_VARIANT"] = "ssh",
                ["GIT_TERMINAL_PROMPT"] = "0",
                // The box's and root's git settings are not the site's: none are read.
                ["GIT_CONFIG_NOSYSTEM"] = "1",
                ["GIT_CONFIG_GLOBAL"] = "/dev/null",
            },
        };
        var result = await tools.RunAsync(call, cancellation).ConfigureAwait(false);
        if (result.Succeeded) return result.Output;
        var said = BackupSsh.Said(result);
        var push = argv.Contains("push");
        var why = BackupSsh.Explain(to, said)
            ?? (said.Contains("does not appear to be a git repository", StringComparison.Ordinal) || said.Contains("not a git repository", StringComparison.Ordinal)
                ? $"{to.Path} on {to.Host} is not a git repository (make one there: git init --bare -b main {to.Path})"
                : said.Contains("No space left on device", StringComparison.Ordinal)
                    ? $"the destination's disk is full ({said})"
                    : $"git {Verb(args)} failed: {said}");
        throw new BackupException($"{to.Text}: {why}" + (push ? "; the push was refused, the repository is as it was" : ""));
    }
}
