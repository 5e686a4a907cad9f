using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using NetbootPi.Agent.Backup;
using NetbootPi.Agent.Backup.Age;
using NetbootPi.Agent.Cli;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Overlays;
using NetbootPi.Agent.WireGuard;
using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Net;
using NetbootPi.Tests.Shared;

namespace NetbootPi.Agent.Tests.Backup;

/// <summary>
/// Backups: the age format against the real <c>age</c> and <c>age-keygen</c> (each side reads what the other wrote,
/// and an altered or cut file is refused), and <c>netbootpi backup create|verify|restore|list</c> on a box's state
/// directory (overlays with versions, leases, a WireGuard key, an upload token): the files come back byte for byte
/// with their modes, a damaged backup or a box with state of its own is refused and nothing is restored.
/// </summary>
public sealed class BackupTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly string _dir = Directory.CreateTempSubdirectory("nbp-backup-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<(string KeyFile, string Recipient)> KeygenAsync(string name)
    {
        var keygen = Peers.Require("age-keygen", "age");
        var path = Path.Combine(_dir, name);
        var (code, _, err) = await Tool.RunAsync(keygen, ["-o", path], Ct);
        Assert.True(code == 0, err);
        var recipient = File.ReadAllLines(path).Single(l => l.StartsWith("# public key: ", StringComparison.Ordinal))["# public key: ".Length..];
        return (path, recipient);
    }

    [Fact]
    public async Task Our_age_files_open_with_age_and_ages_files_open_with_ours_and_damage_is_refused()
    {
        var age = Peers.Require("age", "age");
        var (keyFile, recipientText) = await KeygenAsync("key.txt");
        Assert.True(AgeRecipient.TryParse(recipientText, out var recipient, out var problem), problem);
        Assert.True(AgeIdentity.TryParse(File.ReadAllText(keyFile), out var identity, out problem), problem);
        Assert.Equal(recipientText, identity.Recipient.Text);
        var (other, _) = AgeIdentity.Generate();

        // Empty, one short chunk, exactly two full chunks (no empty chunk after them), and a ragged end.
        foreach (var size in new[] { 0, 1000, 2 * 64 * 1024, 3 * 64 * 1024 + 17 })
        {
            var plain = RandomNumberGenerator.GetBytes(size);
            var ours = Path.Combine(_dir, $"ours-{size}.age");
            await using (var output = File.Create(ours))
                await AgeFile.EncryptAsync(new MemoryStream(plain), output, [other.Recipient, recipient], Ct);
            var decrypted = Path.Combine(_dir, $"ours-{size}.out");
            var (code, _, err) = await Tool.RunAsync(age, ["-d", "-i", keyFile, "-o", decrypted, ours], Ct);
            Assert.True(code == 0, $"{size} bytes: {err}");
            // age opens its output at the first byte: an empty file's is never made.
            Assert.Equal(plain, File.Exists(decrypted) ? File.ReadAllBytes(decrypted) : []);

            var theirs = Path.Combine(_dir, $"theirs-{size}.age");
            File.WriteAllBytes(Path.Combine(_dir, "plain"), plain);
            (code, _, err) = await Tool.RunAsync(age, ["-r", recipientText, "-o", theirs, Path.Combine(_dir, "plain")], Ct);
            Assert.True(code == 0, err);
            using var back = new MemoryStream();
            await AgeFile.DecryptAsync(File.OpenRead(theirs), back, identity, Ct);
            Assert.Equal(plain, back.ToArray());
        }

        var sample = File.ReadAllBytes(Path.Combine(_dir, "ours-196625.age"));
        async Task<string> Refusal(byte[] bytes, AgeIdentity who) =>
            (await Assert.ThrowsAsync<AgeException>(() => AgeFile.DecryptAsync(new MemoryStream(bytes), Stream.Null, who, Ct))).Message;
        Assert.StartsWith("the file is not encrypted to age1", await Refusal(sample, AgeIdentity.Generate().Identity), StringComparison.Ordinal);
        var flipped = (byte[])sample.Clone();
        flipped[^100] ^= 1;
        Assert.Equal("the payload's chunk 2 does not authenticate: the file was altered", await Refusal(flipped, identity));
        // Cut at a chunk's end: what is left authenticates chunk by chunk, but its last is not marked last.
        var cut = sample[..(sample.Length - (17 + 16))];
        Assert.Equal("the payload's chunk 2 does not authenticate as its last: the file was truncated or altered", await Refusal(cut, identity));
        var header = (byte[])sample.Clone();
        header[30] = (byte)(header[30] == (byte)'A' ? 'B' : 'A');
        Assert.Equal("the header's MAC does not match: the header was altered", await Refusal(header, identity));
        Assert.Equal("it does not start with 'age-encryption.org/v1' (not an age file, or another version)", await Refusal("hello\n"u8.ToArray(), identity));
    }

    [Fact]
    public async Task A_box_comes_back_from_its_backup_and_a_damaged_backup_or_a_box_with_state_restores_nothing()
    {
        var age = Peers.Require("age", "age");
        var (keyFile, recipient) = await KeygenAsync("operator.key");
        var box = Path.Combine(_dir, "etc");
        var state = Path.Combine(_dir, "var", "state");
        var backups = Path.Combine(_dir, "backups");
        Directory.CreateDirectory(box);
        var site = Path.Combine(box, "site.yaml");
        File.WriteAllText(site, $$"""
            site: { name: t }
            server: { state_dir: {{state}}, data_dir: {{_dir}}/data }
            networks:
              lan: { interface: eth0, address: 10.0.0.1/24, dhcp: { mode: authoritative, range: 10.0.0.100-10.0.0.200 } }
            profiles:
              p: { local: true }
            defaults: { profile: p }
            backup:
              recipients: [{{recipient}}]
              to: {{backups}}
              keep: 2
            """);
        File.WriteAllText(Path.Combine(box, "alert.secret"), "a webhook secret of some length\n");

        // The box's state as the agent writes it: two versions of an overlay, leases, a WireGuard key, an upload token.
        var mac = MacAddress.Parse("52:54:00:12:34:56");
        var overlays = new OverlayStore(state, AtomicFiles.Local);
        Assert.NotNull((await overlays.StoreAsync(mac, Overlay("one"), Ct)).Stored);
        Assert.NotNull((await overlays.StoreAsync(mac, Overlay("two"), Ct)).Stored);
        using (var leases = LeaseStore.Open(state))
        {
            leases.WaitUntilDurable(leases.Append(new DhcpLease(Ipv4Address.Parse("10.0.0.100"), mac, DhcpLeaseState.Bound, DateTimeOffset.UtcNow.AddHours(1), "pc")), Ct);
        }
        WireGuardKeyFile.LoadOrCreate(WireGuardKeyFile.PathFor(state, "wg0"), AtomicFiles.Local);
        new OverlayTokens(state, AtomicFiles.Local).Issue(mac, rotate: false);
        var before = Snapshot(_dir, box, state);

        var (code, o, e) = await Cli("backup", "create", "--config", site);
        Assert.True(code == 0, e);
        Assert.Matches($@"^wrote {backups}/netbootpi-t-\d{{8}}T\d{{6}}\.\d{{3}}Z\.tar\.age: \d+ files, [\d,]+ bytes, encrypted to {recipient}\n$", o);
        var file = Directory.GetFiles(backups).Single();

        // The operator opens it with age alone, and it is a tar with a manifest last.
        var tar = Path.Combine(_dir, "plain.tar");
        var (ageCode, _, ageErr) = await Tool.RunAsync(age, ["-d", "-i", keyFile, "-o", tar, file], Ct);
        Assert.True(ageCode == 0, ageErr);
        var names = new List<string>();
        await using (var reader = new TarReader(File.OpenRead(tar)))
            while (await reader.GetNextEntryAsync(cancellationToken: Ct) is { } entry) names.Add(entry.Name);
        Assert.Equal("manifest.json", names[^1]);
        Assert.Contains("site/site.yaml", names);
        Assert.Contains("state/wireguard/wg0.key", names);
        Assert.DoesNotContain(names, n => n.EndsWith(".tmp", StringComparison.Ordinal));

        (code, o, e) = await Cli("backup", "verify", file, "--identity", keyFile);
        Assert.True(code == 0, e);
        Assert.Contains("good: site t", o);
        (code, _, e) = await Cli("backup", "verify", file);
        Assert.Equal((1, $"netbootpi: {file} is encrypted: give --identity KEYFILE, the age key of one of its recipients\n"), (code, e));

        // A box with state of its own is not overwritten without --force.
        (code, _, e) = await Cli("backup", "restore", file, "--identity", keyFile);
        Assert.Equal(1, code);
        Assert.Contains($"{state} is not empty", e);
        Assert.EndsWith("nothing was restored\n", e);

        // The card dies: site folder and state gone. A damaged copy restores nothing; the good one everything.
        Directory.Delete(state, recursive: true);
        Directory.Delete(box, recursive: true);
        var damaged = Path.Combine(_dir, "damaged.tar.age");
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(damaged, bytes);
        (code, _, e) = await Cli("backup", "restore", damaged, "--identity", keyFile);
        Assert.Equal(1, code);
        Assert.Contains("does not authenticate", e);
        Assert.False(Directory.Exists(state));
        Assert.False(Directory.Exists(box) && Directory.EnumerateFileSystemEntries(box).Any());

        (code, o, e) = await Cli("backup", "restore", file, "--identity", keyFile);
        Assert.True(code == 0, e);
        Assert.StartsWith("restored site t", o);
        Assert.Equal(before, Snapshot(_dir, box, state));
        Assert.Equal([("10.0.0.100", "52:54:00:12:34:56")], LeaseStore.Read(state).Leases.Select(l => (l.Address.ToString(), l.Mac.ToString())));
        Assert.Equal(2, new OverlayStore(state, AtomicFiles.Local).List(mac).Count);

        // keep: 2 — a third backup removes the oldest, once it is whole.
        Assert.Equal(0, (await Cli("backup", "create", "--config", site)).Code);
        (code, o, _) = await Cli("backup", "create", "--config", site);
        Assert.Contains($"removed the oldest: {Path.GetFileName(file)}", o);
        (_, o, _) = await Cli("backup", "list", backups);
        Assert.Equal(2, o.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        // Without recipients a backup is refused unless asked for in the clear.
        File.WriteAllText(site, File.ReadAllText(site)[..File.ReadAllText(site).IndexOf("backup:", StringComparison.Ordinal)]);
        (code, _, e) = await Cli("backup", "create", "--config", site, "--to", backups);
        Assert.Equal(1, code);
        Assert.Contains("names no backup.recipients", e);
    }

    private static async Task<(int Code, string Out, string Err)> Cli(params string[] args)
    {
        using var o = new StringWriter();
        using var e = new StringWriter();
        // No agent: a socket path that does not exist.
        var code = await CommandLine.RunAsync([.. args, "--socket", "/nonexistent/control.sock"], o, e, Ct);
        return (code, o.ToString(), e.ToString());
    }

    /// <summary>Every file under the two folders: its path, mode and SHA-256.</summary>
    private static string[] Snapshot(string root, params string[] folders) =>
        [.. folders.SelectMany(f => Directory.EnumerateFiles(f, "*", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal)
            .Select(f => $"{Path.GetRelativePath(root, f)} {File.GetUnixFileMode(f)} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))}")];

    private static MemoryStream Overlay(string text)
    {
        var result = new MemoryStream();
        using (var gzip = new GZipStream(result, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Ustar))
            tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "etc/motd") { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)) });
        result.Position = 0;
        return result;
    }
}
