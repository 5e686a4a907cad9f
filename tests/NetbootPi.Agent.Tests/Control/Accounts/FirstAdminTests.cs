using NetbootPi.Agent.Control;
using NetbootPi.Agent.Control.Accounts;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Tests.Shared;

namespace NetbootPi.Agent.Tests.Control.Accounts;

/// <summary>The first admin from <c>STATE_DIR/first-admin</c>: made once when there is no admin, ignored when there is, located errors otherwise.</summary>
public class FirstAdminTests : IDisposable
{
    private const string Hash = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE";

    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-first-admin-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 2, 0, 0, TimeSpan.Zero));
    private readonly CapturingLogger _log = new();

    private string FilePath => Path.Combine(_dir, FirstAdmin.FileName);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private AccountStore Open() => new(Path.Combine(_dir, AccountStore.FileName), AtomicFiles.Local, _time)
    {
        FirstAdmin = new FirstAdmin(FilePath, new CapturingLogger<FirstAdmin>(_log)),
    };

    private void Drop(string text, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        File.WriteAllText(FilePath, text);
        File.SetUnixFileMode(FilePath, mode);
    }

    [Fact]
    public void A_box_without_an_admin_makes_the_one_the_file_names_and_renames_the_file()
    {
        Drop($"# made with netbootpi user hash\n\nalice:{Hash}\n");
        var store = Open();
        store.Load();
        var alice = Assert.Single(store.Users);
        Assert.Equal(("alice", ControlRole.Admin, Hash), (alice.Name, alice.Role, alice.PasswordHash));
        Assert.False(File.Exists(FilePath));
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(FilePath + ".used"));
        Assert.True(_log.Contains(626, $"accounts: made admin alice from {FilePath}, renamed to {FilePath}.used"));
        Assert.DoesNotContain(_log.Entries, e => e.Message.Contains("argon2", StringComparison.Ordinal));
        // Kept in the accounts file: the next start has alice without the file.
        var again = Open();
        again.Load();
        Assert.Equal("alice", Assert.Single(again.Users).Name);
    }

    [Fact]
    public void With_an_admin_already_the_file_is_left_alone_with_a_warning()
    {
        var store = Open();
        store.Load();
        store.AddUser("root", ControlRole.Admin, Hash);
        Drop($"mallory:{Hash}\n");
        store = Open();
        store.Load();
        Assert.Equal(["root"], store.Users.Select(u => u.Name));
        Assert.True(File.Exists(FilePath));
        Assert.True(_log.Contains(627, $"accounts: {FilePath} ignored: the box has an admin already (root); remove the file"));
    }

    [Theory]
    [InlineData("", "{0}: holds no NAME:$argon2id$... line (make one with: echo \"NAME:$(netbootpi user hash)\" > {0})")]
    [InlineData("# only a comment\n", "{0}: holds no NAME:$argon2id$... line (make one with: echo \"NAME:$(netbootpi user hash)\" > {0})")]
    [InlineData("alice\n", "{0}:1:1: expected NAME:$argon2id$v=19$... (the hash as netbootpi user hash prints it)")]
    [InlineData("\nAlice:" + Hash, "{0}:2:1: 'Alice' is not a user name (a lower-case letter or _, then up to 31 lower-case letters, digits, _, . or -)")]
    [InlineData("alice:$2y$10$abcdefghijklmnopqrstuv", "{0}:1:7: not a PHC string ($argon2id$v=19$m=M,t=T,p=P$SALT$HASH)")]
    [InlineData("alice:$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE", "{0}:1:7: 'argon2i' is not argon2id (the only algorithm the agent checks)")]
    [InlineData("alice:" + Hash + "\nbob:" + Hash, "{0}:2:1: a second admin; the file makes one (add more with netbootpi user add)")]
    public void A_malformed_file_is_an_error_that_says_where_and_makes_nobody(string text, string message)
    {
        Drop(text);
        var e = Assert.Throws<AccountStoreException>(Open().Load);
        Assert.Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, message, FilePath), e.Message);
        Assert.True(File.Exists(FilePath));
        Assert.False(File.Exists(Path.Combine(_dir, AccountStore.FileName)));
    }

    [Fact]
    public void A_file_others_may_write_is_refused()
    {
        Drop($"alice:{Hash}\n", (UnixFileMode)0b110_110_100);
        var e = Assert.Throws<AccountStoreException>(Open().Load);
        Assert.Equal($"{FilePath}: mode 664 lets others than its owner write it, and it makes an admin (chmod 600 {FilePath})", e.Message);
    }

    [Fact]
    public void A_name_that_is_a_user_already_but_not_an_admin_is_an_error()
    {
        var store = Open();
        store.Load();
        store.AddUser("alice", ControlRole.Viewer, Hash);
        Drop($"alice:{Hash}\n");
        var e = Assert.Throws<AccountStoreException>(Open().Load);
        Assert.StartsWith($"{FilePath}:1:1: user alice exists already as viewer; ", e.Message);
    }
}
