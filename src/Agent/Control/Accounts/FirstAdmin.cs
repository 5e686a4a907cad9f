using Microsoft.Extensions.Logging;

namespace NetbootPi.Agent.Control.Accounts;

/// <summary>
/// The first admin from a file dropped in the state directory (<c>STATE_DIR/first-admin</c>, by the SD image or by
/// hand): one line <c>NAME:$argon2id$...</c>, a password hash made with <c>netbootpi user hash</c>. At start, when the
/// accounts have no admin, the agent makes that admin and renames the file to <c>first-admin.used</c>; when an admin
/// exists the file is left alone with a warning. Nothing over the network can write the file: whoever reaches the
/// box's web port can never claim it.
/// </summary>
/// <remarks>
/// A file that cannot be read or is malformed stops the start (<see cref="AccountStoreException"/>, located): whoever
/// put it there meant to have an admin, and a box that starts without one, quietly, leaves them locked out of the API
/// with a hash lying in the state directory.
/// </remarks>
public sealed partial class FirstAdmin(string path, ILogger<FirstAdmin> logger)
{
    public const string FileName = "first-admin";
    public const string UsedSuffix = ".used";

    public string Path => path;

    /// <summary>Makes the admin the file names when <paramref name="store"/> (loaded) has none; throws <see cref="AccountStoreException"/>, located.</summary>
    public void Claim(AccountStore store)
    {
        if (!File.Exists(path)) return;
        // With an admin there the file is not even read: it can do nothing, right or wrong.
        if (store.Users.FirstOrDefault(u => u.Role == ControlRole.Admin) is { } admin)
        {
            LogIgnored(path, admin.Name);
            return;
        }
        var (name, hash) = Read();
        if (store.FindUser(name) is { } existing)
            throw new AccountStoreException($"{path}:1:1: user {name} exists already as {AccountStore.RoleName(existing.Role)}; the file makes a new admin (remove the file, and make {name} an admin with netbootpi user remove and user add)");
        store.AddUser(name, ControlRole.Admin, hash);
        var used = path + UsedSuffix;
        try
        {
            File.Move(path, used, overwrite: true);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(used, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            LogClaimed(name, path, used);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The admin exists: the next start ignores the file (with a warning), so this is no reason to stop.
            LogNotRenamed(name, path, e.Message);
        }
    }

    private (string Name, string Hash) Read()
    {
        string[] lines;
        try
        {
            var mode = OperatingSystem.IsWindows() ? UnixFileMode.None : File.GetUnixFileMode(path);
            if ((mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
                throw new AccountStoreException($"{path}: mode {Convert.ToString((int)mode, 8)} lets others than its owner write it, and it makes an admin (chmod 600 {path})");
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AccountStoreException($"{path}: cannot be read: {e.Message} (the first admin's file: NAME:$argon2id$..., from netbootpi user hash)", e);
        }
        (string, string)? entry = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var at = $"{path}:{i + 1}";
            if (entry is not null) throw new AccountStoreException($"{at}:1: a second admin; the file makes one (add more with netbootpi user add)");
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) throw new AccountStoreException($"{at}:1: expected NAME:$argon2id$v=19$... (the hash as netbootpi user hash prints it)");
            var name = line[..colon];
            if (!AccountStore.ValidName(name)) throw new AccountStoreException($"{at}:1: '{name}' is not a user name ({AccountStore.NameRule})");
            // The hash itself is not repeated: the message reaches the journal.
            if (PasswordHasher.TryParse(line[(colon + 1)..], out _) is { } why) throw new AccountStoreException($"{at}:{colon + 2}: {why}");
            entry = (name, line[(colon + 1)..]);
        }
        return entry ?? throw new AccountStoreException($"{path}: holds no NAME:$argon2id$... line (make one with: echo \"NAME:$(netbootpi user hash)\" > {path})");
    }

    [LoggerMessage(EventId = 626, Level = LogLevel.Warning, Message = "accounts: made admin {Name} from {Path}, renamed to {Used}")]
    private partial void LogClaimed(string name, string path, string used);

    [LoggerMessage(EventId = 627, Level = LogLevel.Warning, Message = "accounts: {Path} ignored: the box has an admin already ({Admin}); remove the file")]
    private partial void LogIgnored(string path, string admin);

    [LoggerMessage(EventId = 628, Level = LogLevel.Error, Message = "accounts: made admin {Name} from {Path}, but could not rename it: {Reason}; remove it")]
    private partial void LogNotRenamed(string name, string path, string reason);
}
