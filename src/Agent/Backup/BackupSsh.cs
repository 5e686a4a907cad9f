using NetbootPi.Agent.Os.Tools;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Backup;

/// <summary>
/// What the SFTP and git destinations share: OpenSSH's client with the box's own ed25519 key (made on first use in
/// the state directory, so a restored box has it again) and the destination's host key pinned to
/// <c>backup.host_key</c> (never learned on first use: an unknown or changed key fails the run). No user or system
/// ssh configuration is read, so what runs on the box is what the site file says.
/// </summary>
internal static class BackupSsh
{
    public const string KeyName = "ssh_ed25519";

    /// <summary>How long one connection may take to open: an unreachable host fails the run instead of hanging it.</summary>
    private const string ConnectSeconds = "15";

    public static string KeyPath(string stateDirectory) => Path.Combine(stateDirectory, "backup", KeyName);

    /// <summary>The box's key (made with ssh-keygen when there is none); returns its public line.</summary>
    public static async Task<string> EnsureKeyAsync(IToolRunner tools, string stateDirectory, string site, CancellationToken cancellation)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("ssh keys are Unix files");
        var key = KeyPath(stateDirectory);
        if (!File.Exists(key))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(key)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            // ssh-keygen writes the private key 0600; a half-made pair (a crash) is made again.
            File.Delete(key + ".pub");
            var made = await tools.RunAsync(new ToolCall("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", $"netbootpi-backup@{site}", "-f", key), cancellation).ConfigureAwait(false);
            if (!made.Succeeded)
            {
                File.Delete(key);
                throw new BackupException($"the box's SSH key for backups could not be made: {made.Describe()}");
            }
        }
        if (!File.Exists(key + ".pub"))
        {
            var pub = await tools.RunAsync(new ToolCall("ssh-keygen", "-y", "-f", key), cancellation).ConfigureAwait(false);
            if (!pub.Succeeded) throw new BackupException($"{key} does not read as an SSH key: {pub.Describe()} (remove it to make a new one)");
            File.WriteAllText(key + ".pub", pub.Output);
        }
        return File.ReadAllText(key + ".pub").Trim();
    }

    /// <summary>
    /// ssh's options for <paramref name="to"/>: the box's key only, no prompts, the host key pinned to
    /// <paramref name="hostKey"/> through a known_hosts file written to <paramref name="cacheDirectory"/>.
    /// </summary>
    public static string[] Options(BackupDestination to, string stateDirectory, string hostKey, string cacheDirectory)
    {
        Directory.CreateDirectory(cacheDirectory);
        var knownHosts = Path.Combine(cacheDirectory, "known_hosts");
        File.WriteAllText(knownHosts, $"{to.KnownHostsName} {hostKey}\n");
        return
        [
            "-F", "none", "-i", KeyPath(stateDirectory), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=yes", "-o", $"UserKnownHostsFile={knownHosts}", "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "UpdateHostKeys=no", "-o", "CheckHostIP=no", "-o", $"ConnectTimeout={ConnectSeconds}",
            "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=4", "-o", "LogLevel=ERROR",
            "-o", $"Port={to.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
        ];
    }

    /// <summary>
    /// Why an ssh-based run failed, as a sentence from what ssh, sftp or git wrote; null when it was no
    /// connection problem (the caller words the rest).
    /// </summary>
    public static string? Explain(BackupDestination to, string said)
    {
        var where = $"{to.Host} port {to.Port}";
        if (said.Contains("Host key verification failed", StringComparison.Ordinal) || said.Contains("IDENTIFICATION HAS CHANGED", StringComparison.Ordinal))
        {
            var fingerprint = Lines(said).Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("SHA256:", StringComparison.Ordinal))?.TrimEnd('.');
            return $"{where} did not show the host key backup.host_key names"
                + (fingerprint is null ? "" : $" (it showed {fingerprint})")
                + ": if that host was reinstalled, put its new key in backup.host_key (its /etc/ssh/ssh_host_ed25519_key.pub); otherwise something else answers there, and nothing was sent";
        }
        if (said.Contains("Permission denied", StringComparison.Ordinal) && said.Contains("publickey", StringComparison.Ordinal))
            return $"{to.User}@{to.Host} refused the box's SSH key: add the line 'netbootpi backup key' prints to {to.User}'s ~/.ssh/authorized_keys there";
        string[] unreachable = ["Connection refused", "No route to host", "Network is unreachable", "timed out", "Could not resolve hostname",
            "Name or service not known", "Temporary failure in name resolution", "Connection reset", "Connection closed by remote host"];
        if (unreachable.FirstOrDefault(u => said.Contains(u, StringComparison.Ordinal)) is { } why)
        {
            var line = Lines(said).FirstOrDefault(l => l.Contains(why, StringComparison.Ordinal)) ?? why;
            return $"cannot reach {where} ({line}): check that the host is up, reachable from the box, and that its SSH server listens there";
        }
        return null;
    }

    private static IEnumerable<string> Lines(string said) => said.Split(['\n', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>What a tool said, in one line: its error lines (else its output), the progress echo left out.</summary>
    public static string Said(ToolResult result)
    {
        var text = result.Errors.Trim().Length > 0 ? result.Errors : result.Output;
        return string.Join("; ", text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("sftp>", StringComparison.Ordinal)));
    }
}
