using System.CommandLine;
using System.Globalization;
using System.IO.Pipelines;
using NetbootPi.Agent.Backup;
using NetbootPi.Agent.Age;
using NetbootPi.Agent.Cli.Remote;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Os.Users;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.WireGuard;

namespace NetbootPi.Agent.Cli.Local;

/// <summary>
/// <c>netbootpi backup create|verify|restore|list</c>: the site file's folder and the state directory as one tar,
/// encrypted with age to the site's <c>backup.recipients</c> (opened with <c>age -d -i KEY</c> anywhere, no netbootpi
/// needed), written to a folder under a temporary name and renamed when whole, the oldest beyond <c>backup.keep</c>
/// removed only after that. A restore checks every file against the manifest in a staging folder before anything
/// takes the place of what is there (docs/backup.md).
/// </summary>
internal static class BackupCommand
{
    private const string Encrypted = BackupWriter.Encrypted;

    public static Command Create(TextWriter stdout, TextWriter stderr, string version)
    {
        var command = new Command("backup", "back up the site file's folder and the state directory, encrypted to the site's backup.recipients; verify and restore");
        command.Subcommands.Add(CreateBackup(stdout, stderr, version));
        command.Subcommands.Add(Verify(stdout, stderr));
        command.Subcommands.Add(Restore(stdout, stderr, version));
        command.Subcommands.Add(List(stdout, stderr));
        command.Subcommands.Add(Key(stdout, stderr));
        return command;
    }

    private static readonly Argument<string> File_ = new("FILE") { Description = "a backup (.tar.age, or .tar when made --unencrypted)" };

    private static readonly Option<string?> Identity = new("--identity", "-i")
    {
        HelpName = "KEYFILE",
        Description = "the age identity that opens the backup (a file as age-keygen -o writes it)",
    };

    private static Command CreateBackup(TextWriter stdout, TextWriter stderr, string version)
    {
        var to = new Option<string?>("--to") { HelpName = "DEST", Description = "where to write it: a folder, sftp://USER@HOST[:PORT]/PATH, USER@HOST:PATH or git+ssh://USER@HOST[:PORT]/PATH (default: backup.to of the site file)" };
        var unencrypted = new Option<bool>("--unencrypted") { Description = "without backup.recipients: write the secrets in the clear (to a folder on this box or a disk you hold)" };
        var command = new Command("create", "write one backup to a folder, an SSH server or a git repository; the oldest beyond backup.keep are removed once it is whole") { to, unencrypted };
        command.SetAction(async (parse, cancellation) =>
        {
            if (SiteOption.Load(parse, stderr) is not { } site) return CommandLine.ExitInvalid;
            var sitePath = Path.GetFullPath(SiteOption.PathOf(parse));
            if ((parse.GetValue(to) ?? site.Backup?.To) is not { } folder)
                return Fail(stderr, $"nowhere to write to: give --to DEST, or set backup.to in {sitePath} (docs/backup.md)");
            try
            {
                var w = await BackupWriter.WriteAsync(site, sitePath, folder, parse.GetValue(unencrypted), version, DateTimeOffset.UtcNow, cancellation).ConfigureAwait(false);
                var recipients = site.Backup?.Recipients ?? [];
                stdout.WriteLine($"wrote {w.Path}: {w.Manifest.Files.Length} files, {w.Bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes, "
                    + (recipients.IsEmpty ? "NOT encrypted" : $"encrypted to {string.Join(", ", recipients)}")
                    + (w.Removed.Count > 0 ? $"; removed the oldest: {string.Join(", ", w.Removed)}" : ""));
            }
            catch (BackupException e)
            {
                return Fail(stderr, e.Message);
            }
            return CommandLine.ExitOk;
        });
        return command;
    }

    private static Command Verify(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("verify", "decrypt a backup and check every file against its manifest, restoring nothing") { File_, Identity };
        command.SetAction(async (parse, cancellation) =>
        {
            var file = parse.GetValue(File_)!;
            if (LoadIdentity(parse, file, stderr) is not var (ok, identity) || !ok) return CommandLine.ExitInvalid;
            try
            {
                var manifest = await ReadAsync(file, identity, null, cancellation).ConfigureAwait(false);
                stdout.WriteLine($"{file}: good: site {manifest.Site}, made {manifest.Created.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC by netbootpi {manifest.AgentVersion}, {manifest.Files.Length} files, {manifest.Files.Sum(f => f.Size).ToString("N0", CultureInfo.InvariantCulture)} bytes, every SHA-256 as its manifest says");
                return CommandLine.ExitOk;
            }
            catch (Exception e) when (e is BackupException or AgeException)
            {
                return Fail(stderr, $"{file}: {e.Message}");
            }
        });
        return command;
    }

    private static Command Restore(TextWriter stdout, TextWriter stderr, string version)
    {
        var force = new Option<bool>("--force") { Description = "restore over a state directory or site file that is there (kept aside as *.before-restore-TIME), from another site or a newer agent" };
        var command = new Command("restore", "put a backup's site folder files and state directory back where they were, with the agent stopped") { File_, Identity, force };
        command.SetAction(async (parse, cancellation) =>
        {
            if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("a restore sets Unix file modes");
            var file = parse.GetValue(File_)!;
            if (LoadIdentity(parse, file, stderr) is not var (ok, identity) || !ok) return CommandLine.ExitInvalid;
            if (SocketOption.AgentReachable(parse))
                return Fail(stderr, "an agent is running (its control socket answers): stop it first (systemctl stop netbootpi), restore, then start it");
            // A first pass checks every file and reads the manifest (the archive's last entry), which says where the
            // files go; the second puts them in staging folders beside those places, checking them again, and only
            // then do the staging folders take the place of what is there.
            BackupManifest manifest;
            try
            {
                manifest = await ReadAsync(file, identity, null, cancellation).ConfigureAwait(false);
            }
            catch (Exception e) when (e is BackupException or AgeException)
            {
                return Fail(stderr, $"{file}: {e.Message}; nothing was restored");
            }
            if (Refusal(manifest, version, parse.GetValue(force)) is { } refusal) return Fail(stderr, refusal + "; nothing was restored");
            var staging = new Dictionary<string, string>(StringComparer.Ordinal);
            var modes = new Dictionary<string, UnixFileMode>(StringComparer.Ordinal);
            var stateStage = NewStage(Path.GetDirectoryName(manifest.StateDirectory)!);
            var siteStage = NewStage(Path.GetDirectoryName(manifest.SiteFile)!);
            try
            {
                await ReadAsync(file, identity, async (entry, mode, data, ct) =>
                {
                    if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("a restore sets Unix file modes");
                    var slash = entry.Path.IndexOf('/');
                    var path = Path.Combine(entry.Path[..slash] == "state" ? stateStage : siteStage, entry.Path[(slash + 1)..]);
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                    await using (var output = new FileStream(path, new FileStreamOptions
                    {
                        // As it was, but never more than the owner's until the restore is whole.
                        Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                    }))
                    {
                        await data.CopyToAsync(output, ct).ConfigureAwait(false);
                        output.Flush(flushToDisk: true);
                    }
                    staging[entry.Path] = path;
                    modes[entry.Path] = mode;
                }, cancellation).ConfigureAwait(false);
            }
            catch (Exception e) when (e is BackupException or AgeException or IOException)
            {
                Cleanup(stateStage, siteStage);
                return Fail(stderr, $"{file}: {e.Message}; nothing was restored");
            }
            var stamp = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            foreach (var (path, staged) in staging.Where(s => s.Key.StartsWith("state/", StringComparison.Ordinal)))
                File.SetUnixFileMode(staged, modes[path]);
            // networkd reads the WireGuard keys as its own group, as the agent made them (a group id is per box: by name here).
            if (Directory.Exists(Path.Combine(stateStage, "wireguard")) && UnixGroups.IdOf(WireGuardKeyFile.NetworkdGroup) is { } networkd)
                foreach (var f in Directory.EnumerateFileSystemEntries(Path.Combine(stateStage, "wireguard")).Append(Path.Combine(stateStage, "wireguard")))
                {
                    UnixOwnership.SetGroup(f, networkd);
                    if (Directory.Exists(f)) File.SetUnixFileMode(f, (UnixFileMode)0b111_101_000);
                }
            var state = manifest.StateDirectory;
            if (Directory.Exists(state)) Directory.Move(state, $"{state}.before-restore-{stamp}");
            Directory.Move(stateStage, state);
            // Its folder was the staging folder (the owner's alone); networkd must pass through it to the tunnel's key.
            File.SetUnixFileMode(state, (UnixFileMode)0b111_101_101);
            var siteFolder = Path.GetDirectoryName(manifest.SiteFile)!;
            foreach (var (path, staged) in staging.Where(s => s.Key.StartsWith("site/", StringComparison.Ordinal)))
            {
                var target = Path.Combine(siteFolder, path["site/".Length..]);
                if (File.Exists(target)) File.Copy(target, $"{target}.before-restore-{stamp}");
                AtomicFiles.Local.Write(target, File.ReadAllBytes(staged), modes[path]);
            }
            Cleanup(null, siteStage);
            stdout.WriteLine($"restored site {manifest.Site} (made {manifest.Created.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC): {manifest.Files.Length} files into {siteFolder} and {state}; start the agent");
            return CommandLine.ExitOk;
        });
        return command;
    }

    /// <summary>A new folder (owner only) in <paramref name="parent"/>, made with it: beside where files go, so a move is a rename.</summary>
    private static string NewStage(string parent)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("a restore sets Unix file modes");
        Directory.CreateDirectory(parent);
        var path = Path.Combine(parent, $".netbootpi-restore-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static Command List(TextWriter stdout, TextWriter stderr)
    {
        var dest = new Argument<string?>("DEST") { Description = "a folder, sftp://USER@HOST[:PORT]/PATH, USER@HOST:PATH or git+ssh://USER@HOST[:PORT]/PATH (default: backup.to of the site file)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("list", "the backups at a destination, newest first") { dest };
        command.SetAction(async (parse, cancellation) =>
        {
            var to = parse.GetValue(dest);
            // A folder lists without a site file; an SSH or git destination needs its host key and the box's key.
            SiteInventory? site = null;
            if (to is null || !(BackupDestination.TryParse(to, out var d, out _) && !d.IsRemote))
            {
                if (SiteOption.Load(parse, stderr) is not { } loaded) return CommandLine.ExitInvalid;
                site = loaded;
                to ??= site.Backup?.To;
                if (to is null) return Fail(stderr, $"nowhere to list: give DEST, or set backup.to in {SiteOption.PathOf(parse)}");
            }
            try
            {
                var sitePath = Path.GetFullPath(SiteOption.PathOf(parse));
                foreach (var b in await BackupWriter.ListAsync(site!, sitePath, to, null, cancellation).ConfigureAwait(false))
                    stdout.WriteLine($"{b.Name}  {b.Size.ToString("N0", CultureInfo.InvariantCulture),15} bytes  {(b.Name.EndsWith(Encrypted, StringComparison.Ordinal) ? "encrypted" : "NOT encrypted")}");
            }
            catch (BackupException e)
            {
                return Fail(stderr, e.Message);
            }
            return CommandLine.ExitOk;
        });
        return command;
    }

    private static Command Key(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("key", "print the box's SSH public key for backups (made on first use), for the destination's authorized_keys");
        command.SetAction(async (parse, cancellation) =>
        {
            if (SiteOption.Load(parse, stderr) is not { } site) return CommandLine.ExitInvalid;
            try
            {
                stdout.WriteLine(await BackupWriter.SshKeyAsync(site, cancellation).ConfigureAwait(false));
            }
            catch (Exception e) when (e is BackupException or IOException or UnauthorizedAccessException)
            {
                return Fail(stderr, e is BackupException ? e.Message : FileErrors.Describe(e, site.Server.StateDirectory));
            }
            return CommandLine.ExitOk;
        });
        return command;
    }

    private static (bool, AgeIdentity?)? LoadIdentity(ParseResult parse, string file, TextWriter stderr)
    {
        if (!File.Exists(file))
        {
            Fail(stderr, $"{file}: no such file");
            return (false, null);
        }
        if (!file.EndsWith(Encrypted, StringComparison.Ordinal)) return (true, null);
        if (parse.GetValue(Identity) is not { } keyFile)
        {
            Fail(stderr, $"{file} is encrypted: give --identity KEYFILE, the age key of one of its recipients");
            return (false, null);
        }
        string text;
        try
        {
            text = File.ReadAllText(keyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Fail(stderr, $"--identity: {FileErrors.Reason(e, keyFile)}");
            return (false, null);
        }
        if (!AgeIdentity.TryParse(text, out var identity, out var problem))
        {
            Fail(stderr, $"--identity: {keyFile}: {problem}");
            return (false, null);
        }
        return (true, identity);
    }

    /// <summary>Reads (and decrypts) the backup at <paramref name="file"/>, checking every file; each file to <paramref name="onFile"/>.</summary>
    private static async Task<BackupManifest> ReadAsync(string file, AgeIdentity? identity, Func<BackupFileEntry, UnixFileMode, Stream, CancellationToken, Task>? onFile, CancellationToken cancellation)
    {
        await using var input = File.OpenRead(file);
        if (identity is null) return await BackupArchive.ReadAsync(input, onFile, cancellation).ConfigureAwait(false);
        var pipe = new Pipe();
        var decrypting = Task.Run(async () =>
        {
            await using var into = pipe.Writer.AsStream();
            await AgeFile.DecryptAsync(input, into, identity, cancellation).ConfigureAwait(false);
        }, cancellation);
        try
        {
            await using var from = pipe.Reader.AsStream();
            var manifest = await BackupArchive.ReadAsync(from, onFile, cancellation).ConfigureAwait(false);
            await decrypting.ConfigureAwait(false);
            return manifest;
        }
        catch (BackupException) when (decrypting.IsFaulted && decrypting.Exception.InnerException is AgeException age)
        {
            // The tar broke because the decryption stopped: the decryption's reason is the one to tell.
            throw age;
        }
    }

    /// <summary>Why the backup may not be restored here without --force, or null.</summary>
    private static string? Refusal(BackupManifest manifest, string version, bool force)
    {
        if (force) return null;
        if (Newer(manifest.AgentVersion, version))
            return $"the backup was made by netbootpi {manifest.AgentVersion}, newer than this {version}: update first, or --force";
        if (Directory.Exists(manifest.StateDirectory) && Directory.EnumerateFileSystemEntries(manifest.StateDirectory).Any())
            return $"{manifest.StateDirectory} is not empty: this box has state of its own (--force keeps it aside as {Path.GetFileName(manifest.StateDirectory)}.before-restore-TIME and restores)";
        if (File.Exists(manifest.SiteFile) && SiteFile.Load(manifest.SiteFile).Inventory is { } here && here.Site.Name != manifest.Site)
            return $"{manifest.SiteFile} is site {here.Site.Name}, the backup is of site {manifest.Site} (--force to replace it)";
        return null;
    }

    private static bool Newer(string theirs, string ours) =>
        Version.TryParse(theirs.Split('-')[0], out var t) && Version.TryParse(ours.Split('-')[0], out var o) && t > o;

    private static void Cleanup(string? a, string? b)
    {
        foreach (var d in new[] { a, b })
            if (d is not null && Directory.Exists(d)) Directory.Delete(d, recursive: true);
    }

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine($"netbootpi: {message}");
        return CommandLine.ExitInvalid;
    }
}
