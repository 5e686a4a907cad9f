using System.Security.Cryptography;
using System.Text.RegularExpressions;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Overlays;
using NetbootPi.Agent.Tests.Http;
using NetbootPi.Agent.Tests.Support;
using NetbootPi.Agent.WireGuard;
using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Tests.Backup;

/// <summary>
/// Backups to an SSH server (SFTP) and to a git repository over SSH, against OpenSSH's sshd in a namespace: each
/// round trip (create, list, restore into an emptied box, every file byte for byte), the restored box serving as
/// before (the agent as its own process: the same overlay, a DHCP client gets the address it held, the upload
/// token still authorises), and the failures: an unreachable host, a wrong host key, the box's key refused, a full
/// disk on the destination and a refused push, each leaving the older backups as they were. The box's commands run
/// as their own processes in the box's namespace.
/// </summary>
public sealed partial class BackupRemoteTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Mac = "02:00:00:00:00:03";

    /// <summary>A box (namespace "box", bridge 10.77.41.1/24) with state, an SSH server at .2, a DHCP client port.</summary>
    private sealed class Box
    {
        public required NetLab Lab { get; init; }
        public required string Ns { get; init; }
        public required string Srv { get; init; }
        public required string Cli { get; init; }
        public required SshPeer Ssh { get; init; }
        public required string Etc { get; init; }
        public required string State { get; init; }
        public required string Site { get; init; }
        public required string KeyFile { get; init; }
        public required string Token { get; init; }

        public Task<(int Code, string Out, string Err)> RunAsync(params string[] args) =>
            Lab.RunAsync(Ns, AgentProcess.Executable, [.. args, "--socket", "/nonexistent/control.sock"], Ct, TimeSpan.FromSeconds(60));
    }

    private static async Task<Box> MakeBoxAsync(NetLab lab, int fullKiB = 4096)
    {
        var age = Peers.Require("age-keygen", "age");
        Peers.Require("git", "git");
        var box = lab.Namespace("box");
        var srv = lab.Namespace("srv");
        var cli = lab.Namespace("cli");
        lab.Bridge(box, "br0", "10.77.41.1/24");
        lab.Attach(box, "br0", "p-srv", srv, "s0", "10.77.41.2/24");
        lab.Attach(box, "br0", "p-cli", cli, "c0", null, "02:00:00:00:00:03");
        var ssh = new SshPeer(lab, srv, "10.77.41.2", fullKiB);
        var keyFile = lab.Path("operator.key");
        var (code, _, err) = await Tool.RunAsync(age, ["-o", keyFile], Ct);
        Assert.True(code == 0, err);
        var recipient = File.ReadAllLines(keyFile).Single(l => l.StartsWith("# public key: ", StringComparison.Ordinal))["# public key: ".Length..];

        var etc = lab.Path("etc");
        var state = lab.Path("state");
        Directory.CreateDirectory(etc);
        var site = Path.Combine(etc, "site.yaml");
        File.WriteAllText(site, $$"""
            site: { name: lab }
            server: { state_dir: {{state}}, data_dir: {{lab.Path("data")}} }
            networks:
              lan: { interface: br0, address: 10.77.41.1/24, dhcp: { mode: authoritative, range: 10.77.41.10-10.77.41.100, lease: 1h } }
            profiles:
              p: { local: true }
            defaults: { profile: p }
            hosts:
              roam: { mac: {{Mac}} }
            backup:
              recipients: [{{recipient}}]
              to: sftp://root@10.77.41.2{{lab.Path("sftp")}}
              host_key: {{ssh.HostKey}}
              keep: 2
            """);
        Directory.CreateDirectory(lab.Path("sftp"));

        // The box's state as the agent writes it: two versions of roam's overlay, its lease at .77 (not the first
        // free address, which a box without its leases would give), a WireGuard key, roam's upload token.
        var mac = MacAddress.Parse(Mac);
        var overlays = new OverlayStore(state, AtomicFiles.Local);
        Assert.NotNull((await overlays.StoreAsync(mac, new MemoryStream(AgentHttpFixture.Overlay("one")), Ct)).Stored);
        Assert.NotNull((await overlays.StoreAsync(mac, new MemoryStream(AgentHttpFixture.Overlay("two")), Ct)).Stored);
        using (var leases = LeaseStore.Open(state))
            leases.WaitUntilDurable(leases.Append(new DhcpLease(Ipv4Address.Parse("10.77.41.77"), mac, DhcpLeaseState.Bound, DateTimeOffset.UtcNow.AddHours(1), "roam")), Ct);
        WireGuardKeyFile.LoadOrCreate(WireGuardKeyFile.PathFor(state, "wg0"), AtomicFiles.Local);
        var token = new OverlayTokens(state, AtomicFiles.Local).Issue(mac, rotate: false);

        var result = new Box { Lab = lab, Ns = box, Srv = srv, Cli = cli, Ssh = ssh, Etc = etc, State = state, Site = site, KeyFile = keyFile, Token = token };
        // The box's own SSH key, made on first use, goes into root's authorized keys there.
        var (kc, pub, ke) = await result.RunAsync("backup", "key", "--config", site);
        Assert.True(kc == 0, ke);
        Assert.Matches(@"^ssh-ed25519 AAAA\S+ netbootpi-backup@lab\n$", pub);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(state, "backup", "ssh_ed25519")));
        SshPeer.Authorize(lab, "root", pub);
        return result;
    }

    [Fact]
    public async Task Sftp_and_git_round_trips_restore_a_box_that_serves_its_overlays_leases_and_token_as_before()
    {
        using var lab = new NetLab();
        var box = await MakeBoxAsync(lab);
        var git = Peers.Require("git", "git");
        var repo = lab.Path("repo.git");
        Assert.Equal(0, (await Tool.RunAsync(git, ["init", "-q", "--bare", "-b", "main", repo], Ct)).Code);
        var gitTo = $"git+ssh://root@10.77.41.2{repo}";
        var before = Snapshot(box.Etc, box.State);

        // SFTP: keep is 2, so the third removes the first, once it is whole; list shows the two.
        var sftpNames = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (code, o, e) = await box.RunAsync("backup", "create", "--config", box.Site);
            Assert.True(code == 0, e);
            sftpNames.Add(WrittenRegex().Match(o).Groups[1].Value);
            if (i == 2) Assert.Contains($"removed the oldest: {sftpNames[0]}", o);
        }
        Assert.Equal(sftpNames[1..].Order(StringComparer.Ordinal), Directory.GetFiles(lab.Path("sftp")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var (lc, listing, le) = await box.RunAsync("backup", "list", "--config", box.Site);
        Assert.True(lc == 0, le);
        Assert.Equal([sftpNames[2], sftpNames[1]], listing.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]));

        // git: three commits; the tree holds the newest two, history the first.
        var gitNames = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (code, o, e) = await box.RunAsync("backup", "create", "--config", box.Site, "--to", gitTo);
            Assert.True(code == 0, e);
            gitNames.Add(WrittenRegex().Match(o).Groups[1].Value);
        }
        var (_, tree, _) = await Tool.RunAsync(git, ["-C", repo, "ls-tree", "--name-only", "main"], Ct);
        Assert.Equal(gitNames[1..].Order(StringComparer.Ordinal), tree.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var (_, log, _) = await Tool.RunAsync(git, ["-C", repo, "log", "--format=%s", "main"], Ct);
        Assert.Equal(3, log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        (lc, listing, le) = await box.RunAsync("backup", "list", gitTo, "--config", box.Site);
        Assert.True(lc == 0, le);
        Assert.Equal([gitNames[2], gitNames[1]], listing.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]));
        Assert.False(Directory.Exists(Path.Combine(box.State, "cache")), "the work clone is in the cache, not the state directory");

        // The card dies; each destination's newest backup restores the box, byte for byte.
        var clone = lab.Path("clone");
        Assert.Equal(0, (await Tool.RunAsync(git, ["clone", "-q", repo, clone], Ct)).Code);
        foreach (var file in new[] { Path.Combine(clone, gitNames[2]), Path.Combine(lab.Path("sftp"), sftpNames[2]) })
        {
            Directory.Delete(box.State, recursive: true);
            Directory.Delete(box.Etc, recursive: true);
            var (code, o, e) = await box.RunAsync("backup", "restore", file, "--identity", box.KeyFile);
            Assert.True(code == 0, $"{file}: {e}");
            Assert.StartsWith("restored site lab", o);
            Assert.Equal(before, Snapshot(box.Etc, box.State));
        }

        // The restored box serves as before: roam's newest overlay, its lease, its token.
        var agent = lab.StartAgent(box.Ns, box.Site);
        agent.WaitFor("DHCP server listening on br0");
        var port = HttpPortRegex().Match(agent.WaitFor("http listening on http://127.0.0.1:")).Groups[1].Value;
        var url = $"http://127.0.0.1:{port}/apkovl/{Mac}.tar.gz";
        var served = lab.Path("served.tar.gz");
        var (cc, _, ce) = await lab.RunAsync(box.Ns, "curl", ["-sSf", "-o", served, url], Ct);
        Assert.True(cc == 0, ce);
        Assert.Equal(AgentHttpFixture.Overlay("two"), File.ReadAllBytes(served));

        var bound = lab.Path("bound.ip");
        var script = lab.Script("udhcpc.sh", $"[ \"$1\" = bound ] && echo \"$ip\" > {bound}\nexit 0");
        var (uc, _, ue) = await lab.RunAsync(box.Cli, Peers.Require("udhcpc", "udhcpc"), ["-i", "c0", "-f", "-q", "-n", "-t", "5", "-T", "1", "-s", script], Ct);
        Assert.True(uc == 0, ue + agent.Output);
        Assert.Equal("10.77.41.77", File.ReadAllText(bound).Trim());

        File.WriteAllBytes(lab.Path("three.tar.gz"), AgentHttpFixture.Overlay("three"));
        var (tc, to, te) = await lab.RunAsync(box.Ns, "curl", ["-sS", "-w", "\n%{http_code}", "-H", $"Authorization: Bearer {box.Token}", "-T", lab.Path("three.tar.gz"), url], Ct);
        Assert.True(tc == 0, te);
        Assert.EndsWith("\n201", to);
        Assert.Contains("stored overlay version 3 for roam", to);
        var (wc, wo, _) = await lab.RunAsync(box.Ns, "curl", ["-sS", "-w", "\n%{http_code}", "-H", "Authorization: Bearer 0123", "-T", lab.Path("three.tar.gz"), url], Ct);
        Assert.Equal(0, wc);
        Assert.EndsWith("\n403", wo);
    }

    [Fact]
    public async Task An_unreachable_host_a_wrong_host_key_a_refused_key_a_full_disk_and_a_refused_push_keep_the_older_backups()
    {
        using var lab = new NetLab();
        var box = await MakeBoxAsync(lab, fullKiB: 256);
        var git = Peers.Require("git", "git");
        var full = $"sftp://root@10.77.41.2{box.Ssh.Full}";
        var fullInside = box.Ssh.Inside(box.Ssh.Full);

        // A good backup first, on the small disk.
        var (code, o, e) = await box.RunAsync("backup", "create", "--config", box.Site, "--to", full);
        Assert.True(code == 0, e);
        var good = WrittenRegex().Match(o).Groups[1].Value;
        Assert.Equal([good], Directory.GetFiles(fullInside).Select(Path.GetFileName));

        // The disk fills up: the next upload fails, says so, leaves no partial file and the good one there.
        await using (var filler = File.Create(Path.Combine(fullInside, "filler")))
        {
            try
            {
                while (true) await filler.WriteAsync(new byte[64 * 1024], Ct);
            }
            catch (IOException)
            {
                // ENOSPC: the tmpfs is full
            }
        }
        (code, _, e) = await box.RunAsync("backup", "create", "--config", box.Site, "--to", full);
        Assert.Equal(1, code);
        Assert.Matches($@"^netbootpi: {Regex.Escape(full)}: the destination's disk is full: {Regex.Escape(box.Ssh.Full)} on 10\.77\.41\.2 has [\d,]+ bytes free, the backup is [\d,]+; the partial upload was removed, no older backup was touched\n$", e);
        Assert.Equal(["filler", good], Directory.GetFiles(fullInside).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Empty(Directory.GetFiles(lab.Path("data/cache/backup/spool")));

        // Nothing listens on port 2222: unreachable, in a sentence.
        (code, _, e) = await box.RunAsync("backup", "create", "--config", box.Site, "--to", $"sftp://root@10.77.41.2:2222{lab.Path("sftp")}");
        Assert.Equal(1, code);
        Assert.Contains("cannot reach 10.77.41.2 port 2222 (ssh: connect to host 10.77.41.2 port 2222: Connection refused): check that the host is up", e);

        // The box's key is not in daemon's authorized keys.
        (code, _, e) = await box.RunAsync("backup", "create", "--config", box.Site, "--to", $"daemon@10.77.41.2:{lab.Path("sftp")}");
        Assert.Equal(1, code);
        Assert.Contains("daemon@10.77.41.2 refused the box's SSH key: add the line 'netbootpi backup key' prints to daemon's ~/.ssh/authorized_keys there", e);

        // Another host key in the site (the server reinstalled, or another host at its address): nothing is sent.
        var other = lab.Path("other_key");
        Assert.Equal(0, (await Tool.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other], Ct)).Code);
        var wrongSite = Path.Combine(box.Etc, "wrong.yaml");
        File.WriteAllText(wrongSite, File.ReadAllText(box.Site).Replace(box.Ssh.HostKey, string.Join(' ', File.ReadAllText(other + ".pub").Split(' ')[..2]), StringComparison.Ordinal));
        (code, _, e) = await box.RunAsync("backup", "create", "--config", wrongSite);
        Assert.Equal(1, code);
        Assert.Matches(@"10\.77\.41\.2 port 22 did not show the host key backup\.host_key names \(it showed SHA256:[A-Za-z0-9+/]{43}\): if that host was reinstalled", e);
        Assert.Empty(Directory.GetFiles(lab.Path("sftp")));
        File.Delete(wrongSite);

        // git: a push the server refuses (its hook says the disk is full) leaves the repository as it was.
        var repo = lab.Path("repo.git");
        Assert.Equal(0, (await Tool.RunAsync(git, ["init", "-q", "--bare", "-b", "main", repo], Ct)).Code);
        var gitTo = $"git+ssh://root@10.77.41.2{repo}";
        (code, _, e) = await box.RunAsync("backup", "create", "--config", box.Site, "--to", gitTo);
        Assert.True(code == 0, e);
        var (_, head, _) = await Tool.RunAsync(git, ["-C", repo, "rev-parse", "main"], Ct);
        var hook = Path.Combine(repo, "hooks", "pre-receive");
        File.WriteAllText(hook, "#!/bin/sh\necho 'error: No space left on device' >&2\nexit 1\n");
        File.SetUnixFileMode(hook, (UnixFileMode)0b111_101_101);
        (code, _, e) = await box.RunAsync("backup", "create", "--config", box.Site, "--to", gitTo);
        Assert.Equal(1, code);
        Assert.Contains($"{gitTo}: the destination's disk is full (", e);
        Assert.EndsWith("; the push was refused, the repository is as it was\n", e);
        Assert.Equal(head, (await Tool.RunAsync(git, ["-C", repo, "rev-parse", "main"], Ct)).Out);
        File.Delete(hook);
        // The next run starts from the remote's branch, not the failed commit.
        (code, _, e) = await box.RunAsync("backup", "create", "--config", box.Site, "--to", gitTo);
        Assert.True(code == 0, e);
        var (_, log, _) = await Tool.RunAsync(git, ["-C", repo, "log", "--format=%s", "main"], Ct);
        Assert.Equal(2, log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        (code, _, e) = await box.RunAsync("backup", "create", "--config", box.Site, "--to", $"git+ssh://root@10.77.41.2:2222{repo}");
        Assert.Equal(1, code);
        Assert.Contains("cannot reach 10.77.41.2 port 2222", e);
    }

    [Fact]
    public async Task A_backup_taken_under_perfdhcp_load_restores_every_lease_in_the_journal_before_it_began()
    {
        var perfdhcp = Peers.Require("perfdhcp", "kea-admin");
        var ageKeygen = Peers.Require("age-keygen", "age");
        using var lab = new NetLab();
        var srv = lab.Namespace("srv");
        var perf = lab.Namespace("perf");
        lab.Bridge(srv, "br0", "10.77.42.1/24");
        lab.Attach(srv, "br0", "p-perf", perf, "p0", "10.77.42.5/24");
        var keyFile = lab.Path("operator.key");
        Assert.Equal(0, (await Tool.RunAsync(ageKeygen, ["-o", keyFile], Ct)).Code);
        var recipient = File.ReadAllLines(keyFile).Single(l => l.StartsWith("# public key: ", StringComparison.Ordinal))["# public key: ".Length..];
        var state = lab.Path("state");
        var site = lab.Path("site.yaml");
        File.WriteAllText(site, $$"""
            site: { name: lab }
            server: { state_dir: {{state}} }
            networks:
              lan: { interface: br0, address: 10.77.42.1/24, dhcp: { mode: authoritative, range: 10.77.42.10-10.77.42.250, lease: 1h } }
            profiles:
              p: { local: true }
            defaults: { profile: p }
            backup: { recipients: [{{recipient}}], to: {{lab.Path("backups")}} }
            """);
        var agent = lab.StartAgent(srv, site);
        agent.WaitFor("DHCP server listening on br0");

        // 100 simulated clients, relayed (giaddr is perfdhcp's address), for 5 s.
        var load = lab.RunAsync(perf, perfdhcp, ["-4", "-l", "p0", "-r", "200", "-R", "100", "-p", "5", "10.77.42.1"], Ct, TimeSpan.FromSeconds(30));
        agent.WaitFor("DHCP Ack ");
        // What the agent has made durable (it ACKs only after that) before the backup begins.
        IReadOnlyList<DhcpLease> before = [];
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((before = LeaseStore.Read(state).Leases).Count < 30 && DateTime.UtcNow < deadline) await Task.Delay(50, Ct);
        Assert.True(before.Count >= 30, $"only {before.Count} leases under load");
        var mark = agent.Mark;
        var (code, o, e) = await Tool.RunAsync(AgentProcess.Executable, ["backup", "create", "--config", site], Ct);
        Assert.True(code == 0, e);
        Assert.False(load.IsCompleted, "the load ended before the backup did");
        agent.WaitFor(l => l.Contains("DHCP Ack ", StringComparison.Ordinal), mark, "an ACK while the backup ran");
        var (_, perfOut, perfErr) = await load;
        agent.Signal("TERM");
        agent.WaitForExit();

        Directory.Move(state, state + ".live");
        (code, _, e) = await Tool.RunAsync(AgentProcess.Executable, ["backup", "restore", Directory.GetFiles(lab.Path("backups")).Single(), "--identity", keyFile, "--socket", "/nonexistent/control.sock"], Ct);
        Assert.True(code == 0, e);
        var (restored, report) = LeaseStore.Read(state);
        Assert.Equal(0, report.CorruptSnapshotRecords);
        using (var store = LeaseStore.Open(state)) Assert.Equal(restored.Count, store.Recovery.Leases);
        var missing = before.Where(b => !restored.Any(r => r.Address == b.Address && r.Mac == b.Mac)).Select(b => $"{b.Address} {b.Mac}").ToArray();
        Assert.True(missing.Length == 0, $"{missing.Length} of {before.Count} leases held before the backup are not in it: {string.Join(", ", missing.Take(5))}\n{o}{perfOut}{perfErr}");
    }

    /// <summary>Every file under the folders: its path, mode and SHA-256.</summary>
    private static string[] Snapshot(params string[] folders) =>
        [.. folders.SelectMany(f => Directory.EnumerateFiles(f, "*", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal)
            .Select(f => $"{f} {File.GetUnixFileMode(f)} {Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)))}")];

    [GeneratedRegex(@"^wrote .*?(netbootpi-lab-\d{8}T\d{6}\.\d{3}Z\.tar\.age)\)?: ")]
    private static partial Regex WrittenRegex();

    [GeneratedRegex(@"http listening on http://127\.0\.0\.1:(\d+)")]
    private static partial Regex HttpPortRegex();
}
