using System.Globalization;
using NetbootPi.Agent.Os.Tools;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Backup;

/// <summary>
/// A folder on an SSH server through OpenSSH's <c>sftp</c>: a backup goes up as <c>.NAME.partial</c> (synced to the
/// server's disk with <c>put -f</c>) and is renamed when whole; only then are the site's backups beyond
/// <c>keep</c> removed there. A failed upload removes its partial file when the server still answers, and never
/// touches an older backup.
/// </summary>
internal static class BackupSftp
{
    private static readonly TimeSpan ShortRun = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Upload = TimeSpan.FromHours(2);

    /// <summary>Uploads <paramref name="local"/> as <paramref name="name"/>; returns the old backups it removed.</summary>
    public static async Task<IReadOnlyList<string>> UploadAsync(IToolRunner tools, BackupDestination to, string[] ssh, string local, string name,
        string site, int keep, CancellationToken cancellation)
    {
        var partial = Remote(to, "." + name + ".partial");
        var target = Remote(to, name);
        var result = await RunAsync(tools, to, ssh, $"put -f {Q(local)} {Q(partial)}\nrename {Q(partial)} {Q(target)}\nls -ln {Q(to.Path)}\n", Upload, cancellation).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            var said = BackupSsh.Said(result);
            if (BackupSsh.Explain(to, said) is { } connection) throw new BackupException($"{to.Text}: {connection}");
            // The batch stops at the command that failed; the last one it echoed.
            var failed = result.Output.Split('\n').LastOrDefault(l => l.StartsWith("sftp> ", StringComparison.Ordinal)) ?? "";
            throw new BackupException($"{to.Text}: " + (failed.StartsWith("sftp> put", StringComparison.Ordinal)
                ? await UploadFailedAsync(tools, to, ssh, partial, new FileInfo(local).Length, said, cancellation).ConfigureAwait(false)
                : $"{failed[Math.Min(6, failed.Length)..]} failed: {said}; {(failed.StartsWith("sftp> rename", StringComparison.Ordinal) ? $"the upload is left as {partial}" : "the backup is there")}, no older backup was touched"));
        }
        var old = Parse(result.Output).Where(b => BackupWriter.IsOf(b.Name, site))
            .Select(b => b.Name).Order(StringComparer.Ordinal).Reverse().Skip(keep).ToList();
        if (old.Count == 0) return [];
        var rm = await RunAsync(tools, to, ssh, string.Concat(old.Select(o => $"rm {Q(Remote(to, o))}\n")), ShortRun, cancellation).ConfigureAwait(false);
        if (!rm.Succeeded)
            throw new BackupException($"{to.Text}: {name} was written, but removing the backups beyond backup.keep failed: {BackupSsh.Explain(to, BackupSsh.Said(rm)) ?? BackupSsh.Said(rm)}");
        return old;
    }

    /// <summary>The backups in the destination's folder.</summary>
    public static async Task<IReadOnlyList<BackupListing>> ListAsync(IToolRunner tools, BackupDestination to, string[] ssh, CancellationToken cancellation)
    {
        var result = await RunAsync(tools, to, ssh, $"ls -ln {Q(to.Path)}\n", ShortRun, cancellation).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            var said = BackupSsh.Said(result);
            throw new BackupException($"{to.Text}: {BackupSsh.Explain(to, said) ?? $"its folder cannot be listed: {said}"}");
        }
        return [.. Parse(result.Output).Where(b => BackupWriter.IsBackup(b.Name))];
    }

    /// <summary>
    /// A put that failed: the partial file removed while the server still answers, and whether the folder's disk is
    /// full (sftp says only "Failure": the free space there tells).
    /// </summary>
    private static async Task<string> UploadFailedAsync(IToolRunner tools, BackupDestination to, string[] ssh, string partial, long size, string said,
        CancellationToken cancellation)
    {
        var clean = await RunAsync(tools, to, ssh, $"-rm {Q(partial)}\ndf {Q(to.Path)}\n", ShortRun, cancellation).ConfigureAwait(false);
        var left = clean.Succeeded ? "the partial upload was removed" : $"the partial upload {partial} may be left there";
        // df prints a header, then Size Used Avail (root) %Capacity in KiB.
        long? free = null;
        foreach (var line in clean.Output.Split('\n'))
            if (line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, _, var avail, _, _] && long.TryParse(avail, NumberStyles.None, CultureInfo.InvariantCulture, out var kib))
                free = kib * 1024;
        if (free is { } f && f < size)
            return $"the destination's disk is full: {to.Path} on {to.Host} has {f.ToString("N0", CultureInfo.InvariantCulture)} bytes free, the backup is {size.ToString("N0", CultureInfo.InvariantCulture)}; {left}, no older backup was touched";
        return $"the upload failed ({said}): check that {to.Path} is a folder {to.User} can write there; {left}, no older backup was touched";
    }

    private static Task<ToolResult> RunAsync(IToolRunner tools, BackupDestination to, string[] ssh, string batch, TimeSpan limit, CancellationToken cancellation) =>
        tools.RunAsync(new ToolCall("sftp", [.. ssh, "-b", "-", $"{to.User}@{Host(to)}"]) { Input = batch, Timeout = limit }, cancellation);

    /// <summary>ls -ln's lines (<c>-rw------- ? 0 0 SIZE Mon DD HH:MM PATH</c>): name and size.</summary>
    private static IEnumerable<BackupListing> Parse(string output)
    {
        foreach (var line in output.Split('\n'))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 9 || line.StartsWith("sftp>", StringComparison.Ordinal) || parts[0].Length != 10 || parts[0][0] != '-') continue;
            if (long.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
                yield return new BackupListing(Path.GetFileName(parts[^1]), size);
        }
    }

    private static string Remote(BackupDestination to, string name) => to.Path.EndsWith('/') ? to.Path + name : $"{to.Path}/{name}";

    private static string Host(BackupDestination to) => to.Host.Contains(':', StringComparison.Ordinal) ? $"[{to.Host}]" : to.Host;

    /// <summary>An argument of an sftp batch line (it splits on spaces outside double quotes, backslash escapes).</summary>
    private static string Q(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
