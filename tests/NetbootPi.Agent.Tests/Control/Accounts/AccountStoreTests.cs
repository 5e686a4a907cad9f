using NetbootPi.Agent.Control;
using NetbootPi.Agent.Control.Accounts;
using NetbootPi.Agent.Os.Files;

namespace NetbootPi.Agent.Tests.Control.Accounts;

public class AccountStoreTests : IDisposable
{
    private const string Hash = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE";

    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-accounts-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 1, 0, 0, TimeSpan.Zero));

    private string FilePath => Path.Combine(_dir, "state", AccountStore.FileName);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private AccountStore Open()
    {
        var store = new AccountStore(FilePath, AtomicFiles.Local, _time);
        store.Load();
        return store;
    }

    [Fact]
    public void Users_and_tokens_survive_a_restart_in_a_file_only_its_owner_reads()
    {
        var store = Open();
        Assert.Empty(store.Users);
        Assert.False(File.Exists(FilePath));
        Assert.Equal(AccountChange.Done, store.AddUser("alice", ControlRole.Admin, Hash));
        Assert.Equal(AccountChange.Exists, store.AddUser("alice", ControlRole.Viewer, Hash));
        var (token, secret) = store.CreateToken("backup script", ControlRole.Operator, ["pi1", "pi2", "pi1"]);
        Assert.Matches("^nbp_[A-Za-z0-9_-]{43}$", secret);
        Assert.Matches("^[0-9a-f]{12}$", token.Id);

        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(FilePath));
        var text = File.ReadAllText(FilePath);
        // The token itself is nowhere; its SHA-256 is.
        Assert.DoesNotContain(secret, text);
        Assert.DoesNotContain(secret[4..], text);
        Assert.Contains(AccountStore.HashOf(secret), text);
        // No temporary file is left beside it.
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(FilePath)!, "*", new EnumerationOptions { AttributesToSkip = 0 }));

        var again = Open();
        var alice = Assert.Single(again.Users);
        Assert.Equal(("alice", ControlRole.Admin, Hash, _time.GetUtcNow()), (alice.Name, alice.Role, alice.PasswordHash, alice.Created));
        var t = Assert.Single(again.Tokens);
        Assert.Equal((token.Id, "backup script", ControlRole.Operator), (t.Id, t.Name, t.Role));
        Assert.Equal(["pi1", "pi2"], t.Hosts);
        Assert.Null(t.LastUsed);
        Assert.DoesNotContain(Hash, alice.ToString());
    }

    [Fact]
    public void A_token_is_found_by_its_secret_its_use_kept_to_the_minute_and_revoked_for_good()
    {
        var store = Open();
        var (token, secret) = store.CreateToken("ci", ControlRole.Viewer, []);
        Assert.Null(store.UseToken(secret[..^1] + (secret[^1] == 'A' ? 'B' : 'A')));
        Assert.Null(store.UseToken(secret[4..]));
        Assert.Equal(token.Id, store.UseToken(secret)?.Id);
        var first = _time.GetUtcNow();
        Assert.Equal(first, Open().Tokens[0].LastUsed);

        // Within the minute: nothing written; after it, the new time.
        _time.Advance(TimeSpan.FromSeconds(30));
        store.UseToken(secret);
        Assert.Equal(first, Open().Tokens[0].LastUsed);
        _time.Advance(TimeSpan.FromSeconds(31));
        store.UseToken(secret);
        Assert.Equal(_time.GetUtcNow(), Open().Tokens[0].LastUsed);

        Assert.Equal(AccountChange.Done, store.Revoke(token.Id));
        Assert.Null(store.UseToken(secret));
        Assert.Null(Open().UseToken(secret));
        Assert.Equal(AccountChange.NotFound, store.Revoke("000000000000"));
    }

    [Fact]
    public void A_host_scoped_token_may_touch_its_hosts_only()
    {
        var (scoped, _) = Open().CreateToken("pi1 only", ControlRole.Operator, ["pi1"]);
        Assert.True(scoped.MayTouch("pi1"));
        Assert.False(scoped.MayTouch("pi2"));
        Assert.False(scoped.MayTouch("PI1"));
        var (all, _) = Open().CreateToken("all", ControlRole.Operator, []);
        Assert.True(all.MayTouch("pi2"));
    }

    [Fact]
    public void Five_failed_logins_in_a_row_lock_an_account_until_it_is_unlocked_also_across_a_restart()
    {
        var store = Open();
        store.AddUser("bob", ControlRole.Operator, Hash);
        for (var i = 1; i < AccountStore.MaxFailures; i++) Assert.False(store.RecordFailure("bob")!.Locked);
        store.RecordSuccess("bob");
        Assert.Equal(0, store.FindUser("bob")!.FailedLogins);
        for (var i = 1; i < AccountStore.MaxFailures; i++) store.RecordFailure("bob");
        Assert.True(store.RecordFailure("bob")!.Locked);
        // A right password later does not lift it.
        store.RecordSuccess("bob");
        Assert.True(Open().FindUser("bob")!.Locked);
        Assert.Equal(AccountChange.Done, store.Unlock("bob"));
        Assert.Equal((false, 0), (Open().FindUser("bob")!.Locked, Open().FindUser("bob")!.FailedLogins));
        Assert.Equal(AccountChange.NotFound, store.Unlock("nobody"));
        Assert.Null(store.RecordFailure("nobody"));
    }

    [Fact]
    public void A_damaged_file_is_an_error_that_says_where_never_an_empty_store()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        File.WriteAllText(FilePath, "{\n  \"version\": 1,\n  \"users\": [\n    { \"name\": \"alice\", \"role\": \"admin\" \"password\": \"x\" }\n  ],\n  \"tokens\": []\n}\n");
        var e = Assert.Throws<AccountStoreException>(Open);
        Assert.StartsWith($"{FilePath}:4:", e.Message);
        Assert.Contains("users[0]", e.Message);

        File.WriteAllText(FilePath, "{\"version\": 1, \"users\": [], \"tokens\": [], \"admins\": []}");
        e = Assert.Throws<AccountStoreException>(Open);
        Assert.StartsWith($"{FilePath}:1:", e.Message);
        Assert.Contains("admins", e.Message);

        File.WriteAllText(FilePath, $"{{\"version\": 1, \"users\": [{{\"name\": \"alice\", \"role\": \"root\", \"password\": \"{Hash}\", \"created\": \"2026-12-07T00:00:00Z\", \"failed_logins\": 0, \"locked_since\": null}}], \"tokens\": []}}");
        e = Assert.Throws<AccountStoreException>(Open);
        Assert.Equal($"{FilePath}: users[0].role: 'root' is not viewer, operator or admin", e.Message);

        File.WriteAllText(FilePath, $"{{\"version\": 1, \"users\": [{{\"name\": \"alice\", \"role\": \"admin\", \"password\": \"{Hash[..20]}\", \"created\": \"2026-12-07T00:00:00Z\", \"failed_logins\": 0, \"locked_since\": null}}], \"tokens\": []}}");
        e = Assert.Throws<AccountStoreException>(Open);
        Assert.StartsWith($"{FilePath}: users[0].password: not a PHC string", e.Message);
        // The damaged file is left as it was, for whoever repairs it.
        Assert.Contains("\"role\": \"admin\"", File.ReadAllText(FilePath));
    }
}
