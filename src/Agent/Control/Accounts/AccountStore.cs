using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using NetbootPi.Agent.Os.Files;

namespace NetbootPi.Agent.Control.Accounts;

/// <summary>How a change to the accounts ended.</summary>
public enum AccountChange { Done, NotFound, Exists }

/// <summary>
/// The users and API tokens, kept in <c>accounts.json</c> in the state directory: mode 0600, every change written
/// atomically before it is answered. <see cref="Load"/> reads it once at start; a file that cannot be read is an
/// error that names where, never an empty store (which would silently drop every account and token).
/// </summary>
/// <remarks>
/// A token's last use is kept to the minute: a use within a minute of the one recorded writes nothing, so a script
/// polling every second does not rewrite the file every second. Failed logins are written at once: a lockout must
/// survive a restart.
/// </remarks>
public sealed partial class AccountStore(string path, IAtomicFiles files, TimeProvider time)
{
    public const string FileName = "accounts.json";

    /// <summary>Failed logins in a row after which an account is locked until <c>netbootpi user unlock</c>.</summary>
    public const int MaxFailures = 5;

    public const string TokenPrefix = "nbp_";
    private const int TokenBytes = 32;
    private static readonly TimeSpan UseGranularity = TimeSpan.FromMinutes(1);
    private const UnixFileMode Secret = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly Lock _lock = new();
    private List<UserAccount> _users = [];
    private List<ApiToken> _tokens = [];
    private bool _loaded;

    public string Path => path;

    /// <summary>The first admin's file, claimed right after the first <see cref="Load"/>; null for none.</summary>
    public FirstAdmin? FirstAdmin { get; init; }

    /// <summary>
    /// Reads the file (none yet: no accounts), then makes the first admin from <see cref="FirstAdmin"/>'s file when
    /// there is none. Throws <see cref="AccountStoreException"/>, located, when it cannot.
    /// </summary>
    public void Load()
    {
        lock (_lock)
        {
            if (_loaded) return;
        }
        LoadFile();
        FirstAdmin?.Claim(this);
    }

    private void LoadFile()
    {
        lock (_lock)
        {
            if (_loaded) return;
        }
        string text;
        try
        {
            if (!File.Exists(path))
            {
                lock (_lock) _loaded = true;
                return;
            }
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AccountStoreException($"{path}: cannot be read: {e.Message} (the agent keeps its users and API tokens there)", e);
        }
        AccountsFile? file;
        try
        {
            file = JsonSerializer.Deserialize(text, AccountsJson.Default.AccountsFile);
        }
        catch (JsonException e)
        {
            // LineNumber and BytePositionInLine count from 0.
            var where = e.LineNumber is { } line ? $"{path}:{line + 1}:{(e.BytePositionInLine ?? 0) + 1}" : path;
            throw new AccountStoreException($"{where}: {(e.Path is { Length: > 1 } p ? p[2..] + ": " : "")}{FirstSentence(e.Message)} (the users and API tokens file is damaged: put back a copy, or move it away to start with no accounts)", e);
        }
        if (file is null) throw new AccountStoreException($"{path}: holds null instead of {{\"version\": 1, \"users\": [...], \"tokens\": [...]}}");
        if (file.Version != 1) throw new AccountStoreException($"{path}: version: {file.Version} is not 1 (written by another version of the agent?)");
        var users = new List<UserAccount>();
        for (var i = 0; i < file.Users.Length; i++)
        {
            var u = file.Users[i];
            var at = $"{path}: users[{i}]";
            if (!ValidName(u.Name)) throw new AccountStoreException($"{at}.name: '{u.Name}' is not a user name ({NameRule})");
            if (ParseRole(u.Role) is not { } role) throw new AccountStoreException($"{at}.role: '{u.Role}' is not viewer, operator or admin");
            if (PasswordHasher.TryParse(u.Password, out _) is { } why) throw new AccountStoreException($"{at}.password: {why}");
            if (users.Any(x => x.Name == u.Name)) throw new AccountStoreException($"{at}.name: user '{u.Name}' is in the file twice");
            users.Add(new UserAccount(u.Name, role, u.Password, u.Created, u.FailedLogins, u.LockedSince) { Totp = ReadTotp(u.Totp, $"{at}.totp") });
        }
        var tokens = new List<ApiToken>();
        for (var i = 0; i < file.Tokens.Length; i++)
        {
            var t = file.Tokens[i];
            var at = $"{path}: tokens[{i}]";
            if (!IdPattern().IsMatch(t.Id)) throw new AccountStoreException($"{at}.id: '{t.Id}' is not 12 hexadecimal digits");
            if (ParseRole(t.Role) is not { } role) throw new AccountStoreException($"{at}.role: '{t.Role}' is not viewer, operator or admin");
            if (!HashPattern().IsMatch(t.Sha256)) throw new AccountStoreException($"{at}.sha256: not 64 hexadecimal digits");
            if (tokens.Any(x => x.Id == t.Id)) throw new AccountStoreException($"{at}.id: token '{t.Id}' is in the file twice");
            tokens.Add(new ApiToken(t.Id, t.Name, role, [.. t.Hosts], t.Sha256, t.Created, t.LastUsed, t.Revoked));
        }
        lock (_lock)
        {
            _users = users;
            _tokens = tokens;
            _loaded = true;
        }
    }

    private static string FirstSentence(string message) => ControlBody.Sentence(message);

    public IReadOnlyList<UserAccount> Users
    {
        get { lock (_lock) return [.. _users]; }
    }

    public IReadOnlyList<ApiToken> Tokens
    {
        get { lock (_lock) return [.. _tokens]; }
    }

    public UserAccount? FindUser(string name)
    {
        lock (_lock) return _users.FirstOrDefault(u => u.Name == name);
    }

    /// <summary>Adds a user with a password already hashed (<see cref="PasswordHasher.HashAsync"/>).</summary>
    public AccountChange AddUser(string name, ControlRole role, string passwordHash)
    {
        lock (_lock)
        {
            Ready();
            if (_users.Any(u => u.Name == name)) return AccountChange.Exists;
            return Save([.. _users, new UserAccount(name, role, passwordHash, time.GetUtcNow(), 0, null)], _tokens);
        }
    }

    public AccountChange RemoveUser(string name) => ChangeUser(name, _ => null);

    public AccountChange SetPassword(string name, string passwordHash) => ChangeUser(name, u => u with { PasswordHash = passwordHash });

    public AccountChange Unlock(string name) => ChangeUser(name, u => u with { FailedLogins = 0, LockedSince = null });

    /// <summary>Counts a failed login; the account is locked at <see cref="MaxFailures"/> in a row. Returns the account as it is now.</summary>
    public UserAccount? RecordFailure(string name)
    {
        UserAccount? now = null;
        ChangeUser(name, u =>
        {
            var failures = u.FailedLogins + 1;
            return now = u with { FailedLogins = failures, LockedSince = u.LockedSince ?? (failures >= MaxFailures ? time.GetUtcNow() : null) };
        });
        return now;
    }

    /// <summary>A good password on an unlocked account: the count of failures starts again.</summary>
    public void RecordSuccess(string name)
    {
        lock (_lock)
        {
            if (_users.FirstOrDefault(u => u.Name == name) is { FailedLogins: 0 }) return;
        }
        ChangeUser(name, u => u.Locked ? u : u with { FailedLogins = 0 });
    }

    private AccountChange ChangeUser(string name, Func<UserAccount, UserAccount?> change)
    {
        lock (_lock)
        {
            Ready();
            var index = _users.FindIndex(u => u.Name == name);
            if (index < 0) return AccountChange.NotFound;
            var users = new List<UserAccount>(_users);
            if (change(users[index]) is { } changed) users[index] = changed;
            else users.RemoveAt(index);
            return Save(users, _tokens);
        }
    }

    /// <summary>A new token: its record, and the token itself, which exists only in this return value.</summary>
    public (ApiToken Token, string Secret) CreateToken(string name, ControlRole role, IReadOnlyList<string> hosts)
    {
        var secret = TokenPrefix + Base64Url(RandomNumberGenerator.GetBytes(TokenBytes));
        lock (_lock)
        {
            Ready();
            string id;
            do id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
            while (_tokens.Any(t => t.Id == id));
            var token = new ApiToken(id, name, role, [.. hosts.Distinct(StringComparer.Ordinal)], HashOf(secret), time.GetUtcNow(), null, null);
            Save(_users, [.. _tokens, token]);
            return (token, secret);
        }
    }

    /// <summary>Revokes a token for good (it stays listed, as revoked, so its uses can still be told apart).</summary>
    public AccountChange Revoke(string id)
    {
        lock (_lock)
        {
            Ready();
            var index = _tokens.FindIndex(t => t.Id == id);
            if (index < 0) return AccountChange.NotFound;
            if (_tokens[index].IsRevoked) return AccountChange.Done;
            var tokens = new List<ApiToken>(_tokens);
            tokens[index] = tokens[index] with { Revoked = time.GetUtcNow() };
            return Save(_users, tokens);
        }
    }

    /// <summary>
    /// The token <paramref name="presented"/> is, when it is one and not revoked; its use is recorded (to the minute).
    /// Every stored hash is compared in constant time, so how long this takes says nothing about near misses.
    /// </summary>
    public ApiToken? UseToken(string presented)
    {
        if (!presented.StartsWith(TokenPrefix, StringComparison.Ordinal) || presented.Length > 128) return null;
        var hash = Encoding.ASCII.GetBytes(HashOf(presented));
        lock (_lock)
        {
            var index = -1;
            for (var i = 0; i < _tokens.Count; i++)
                if (CryptographicOperations.FixedTimeEquals(hash, Encoding.ASCII.GetBytes(_tokens[i].Hash))) index = i;
            if (index < 0 || _tokens[index].IsRevoked) return null;
            var token = _tokens[index];
            var now = time.GetUtcNow();
            if (token.LastUsed is { } last && now - last < UseGranularity) return token;
            var tokens = new List<ApiToken>(_tokens);
            tokens[index] = token with { LastUsed = now };
            try
            {
                Save(_users, tokens);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The use is known in memory; the file catches up with the next write. A full disk must not lock scripts out.
                _tokens = tokens;
            }
            return tokens[index];
        }
    }

    private void Ready()
    {
        if (!_loaded) throw new InvalidOperationException("the account store is used before it was loaded");
    }

    private AccountChange Save(List<UserAccount> users, List<ApiToken> tokens)
    {
        var file = new AccountsFile(1,
            [.. users.Select(u => new UserEntry(u.Name, RoleName(u.Role), u.PasswordHash, u.Created, u.FailedLogins, u.LockedSince, WriteTotp(u.Totp)))],
            [.. tokens.Select(t => new TokenEntry(t.Id, t.Name, RoleName(t.Role), [.. t.Hosts], t.Hash, t.Created, t.LastUsed, t.Revoked))]);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        files.Write(path, JsonSerializer.SerializeToUtf8Bytes(file, AccountsJson.Default.AccountsFile), Secret);
        _users = users;
        _tokens = tokens;
        return AccountChange.Done;
    }

    internal static string HashOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public const string NameRule = "a lower-case letter or _, then up to 31 lower-case letters, digits, _, . or -";

    public static bool ValidName(string name) => NamePattern().IsMatch(name);

    public static ControlRole? ParseRole(string? text) => text switch
    {
        "viewer" => ControlRole.Viewer,
        "operator" => ControlRole.Operator,
        "admin" => ControlRole.Admin,
        _ => null,
    };

    public static string RoleName(ControlRole role) => role.ToString().ToLowerInvariant();

    [GeneratedRegex("^[a-z_][a-z0-9_.-]{0,31}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[0-9a-f]{12}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex HashPattern();
}
