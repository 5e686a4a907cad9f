using NetbootPi.Agent.Control;
using NetbootPi.Agent.Control.Accounts;
using NetbootPi.Agent.Os.Files;

namespace NetbootPi.Agent.Tests.Control.Accounts;

/// <summary>Users' TOTP in the accounts store, on a fake clock: enrol, confirm, codes at login, replay, recovery codes, restart.</summary>
public class AccountStoreTotpTests : IDisposable
{
    private const string Hash = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE";

    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-totp-").FullName;
    // 10 s into a step: a step either side is 40 s back and 20 s ahead.
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_796_000_020));
    private readonly byte[] _secret = Totp.NewSecret();

    private string FilePath => Path.Combine(_dir, AccountStore.FileName);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private AccountStore Open()
    {
        var store = new AccountStore(FilePath, AtomicFiles.Local, _time);
        store.Load();
        return store;
    }

    private string Now(int steps = 0) => Totp.Code(_secret, Totp.StepOf(_time.GetUtcNow()) + steps);

    private (AccountStore Store, string[] Codes) Enrolled()
    {
        var store = Open();
        store.AddUser("alice", ControlRole.Admin, Hash);
        var (codes, hashes) = RecoveryCodes.Create();
        Assert.Equal(AccountChange.Done, store.EnrolTotp("alice", _secret, hashes));
        return (store, codes);
    }

    [Fact]
    public void An_enrolment_waits_for_a_first_right_code_and_is_kept_in_the_file_with_only_hashes_of_the_recovery_codes()
    {
        var (store, codes) = Enrolled();
        Assert.Equal(AccountChange.NotFound, store.EnrolTotp("bob", _secret, []));
        var pending = store.FindUser("alice")!;
        Assert.False(pending.HasTotp);
        Assert.Equal("pending", pending.Totp!.Word);
        // Pending: a login needs no code yet, and none is taken.
        Assert.Equal(SecondFactor.NoTotp, store.UseSecondFactor("alice", Now()).Result);

        Assert.Equal(SecondFactor.Wrong, store.ConfirmTotp("alice", Now(2)));
        Assert.Equal(SecondFactor.Wrong, store.ConfirmTotp("alice", "000000" == Now() ? "000001" : "000000"));
        Assert.Equal(SecondFactor.NotFound, store.ConfirmTotp("bob", Now()));
        Assert.Equal(SecondFactor.Totp, store.ConfirmTotp("alice", Now()));
        Assert.True(store.FindUser("alice")!.HasTotp);
        Assert.Equal(SecondFactor.NoTotp, store.ConfirmTotp("alice", Now(1)));
        // Confirmed: enrolling again is refused until disabled.
        Assert.Equal(AccountChange.Exists, store.EnrolTotp("alice", Totp.NewSecret(), []));

        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(FilePath));
        var text = File.ReadAllText(FilePath);
        Assert.Contains(Totp.Base32(_secret), text);
        Assert.All(codes, c => Assert.DoesNotContain(c.Replace("-", "", StringComparison.Ordinal), text));
        Assert.All(codes, c => Assert.DoesNotContain(c, text));
        Assert.Contains(RecoveryCodes.HashOf(codes[0])!, text);
        Assert.DoesNotContain(Totp.Base32(_secret), store.FindUser("alice")!.Totp!.ToString());

        var again = Open().FindUser("alice")!;
        Assert.True(again.HasTotp);
        Assert.Equal(10, again.Totp!.RecoveryHashes.Count);
    }

    [Fact]
    public void A_login_code_is_good_once_within_a_step_either_side_and_the_last_step_survives_a_restart()
    {
        var (store, _) = Enrolled();
        Assert.Equal(SecondFactor.Totp, store.ConfirmTotp("alice", Now()));
        // The confirming code was used: not again, nor the step before it.
        Assert.Equal(SecondFactor.Wrong, store.UseSecondFactor("alice", Now()).Result);
        Assert.Equal(SecondFactor.Wrong, store.UseSecondFactor("alice", Now(-1)).Result);
        // The next step's code is good already (a phone a little ahead), once.
        Assert.Equal(SecondFactor.Totp, store.UseSecondFactor("alice", Now(1)).Result);
        Assert.Equal(SecondFactor.Wrong, store.UseSecondFactor("alice", Now(1)).Result);

        _time.Advance(TimeSpan.FromSeconds(Totp.StepSeconds));
        // Now's code is the one used: still refused after a restart.
        store = Open();
        Assert.Equal(SecondFactor.Wrong, store.UseSecondFactor("alice", Now()).Result);
        Assert.Equal(SecondFactor.Totp, store.UseSecondFactor("alice", Now(1)).Result);

        // Two steps on without a login: a code two steps old is not good, the current one is.
        _time.Advance(TimeSpan.FromSeconds(3 * Totp.StepSeconds));
        Assert.Equal(SecondFactor.Wrong, store.UseSecondFactor("alice", Now(-2)).Result);
        Assert.Equal(SecondFactor.Wrong, store.UseSecondFactor("alice", Now(2)).Result);
        Assert.Equal(SecondFactor.Totp, store.UseSecondFactor("alice", Now(-1)).Result);
        Assert.Equal(SecondFactor.Totp, store.UseSecondFactor("alice", Now()).Result);
        Assert.Equal(SecondFactor.NotFound, store.UseSecondFactor("bob", Now()).Result);
    }

    [Fact]
    public void A_recovery_code_works_once_and_the_others_stay()
    {
        var (store, codes) = Enrolled();
        store.ConfirmTotp("alice", Now());
        Assert.Equal((SecondFactor.RecoveryCode, 9), store.UseSecondFactor("alice", codes[4].ToUpperInvariant()));
        Assert.Equal((SecondFactor.Wrong, 9), store.UseSecondFactor("alice", codes[4]));
        // After a restart the used one is still gone.
        store = Open();
        Assert.Equal((SecondFactor.Wrong, 9), store.UseSecondFactor("alice", codes[4]));
        Assert.Equal((SecondFactor.RecoveryCode, 8), store.UseSecondFactor("alice", codes[0]));
        Assert.Equal((SecondFactor.Wrong, 8), store.UseSecondFactor("alice", "aaaa-aaaa-aaaa-aaaa"));

        Assert.Equal(AccountChange.Done, store.DisableTotp("alice"));
        Assert.Null(Open().FindUser("alice")!.Totp);
        Assert.Equal(SecondFactor.NoTotp, store.UseSecondFactor("alice", codes[1]).Result);
        Assert.Equal(AccountChange.NotFound, store.DisableTotp("bob"));
    }

    [Fact]
    public void A_damaged_totp_entry_is_an_error_that_says_where()
    {
        Enrolled();
        var text = File.ReadAllText(FilePath).Replace(Totp.Base32(_secret), "not base32!", StringComparison.Ordinal);
        File.WriteAllText(FilePath, text);
        var e = Assert.Throws<AccountStoreException>(Open);
        Assert.Equal($"{FilePath}: users[0].totp.secret: not base32 of at least 16 bytes", e.Message);
    }
}
