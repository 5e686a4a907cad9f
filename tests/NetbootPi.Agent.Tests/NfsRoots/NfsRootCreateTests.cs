using NetbootPi.Agent.Cli;
using NetbootPi.Agent.NfsRoots;
using NetbootPi.Agent.Os.Tools;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.NfsRoots;

/// <summary>
/// <c>netbootpi nfsroot create|list|remove</c> for real, as root, on /var/tmp (ext4 here: user xattrs and ACLs work;
/// /tmp may be a tmpfs without them): a template with a setuid binary, foreign owners, a hard link, symlinks, an
/// xattr, an ACL and a file capability is copied from a directory and from a tarball; the copy keeps all of them
/// and gets the host's hostname, fstab and machine-id; a copy that fails halfway leaves nothing at the target.
/// </summary>
public sealed class NfsRootCreateTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly string _dir;
    private readonly string _roots;
    private readonly string _site;

    public NfsRootCreateTests()
    {
        // /var/tmp, not the temp folder: a tmpfs /tmp may not take user xattrs.
        _dir = Directory.CreateDirectory(Path.Combine("/var/tmp", $"netbootpi-nfsroot-{Guid.NewGuid():N}")).FullName;
        _roots = Path.Combine(_dir, "nfsroots");
        _site = Path.Combine(_dir, "site.yaml");
        File.WriteAllText(_site, $$"""
            site: { name: t }
            networks:
              lan: { interface: eth0, address: 10.69.0.1/16 }
            profiles:
              own:  { kernel: k/vmlinuz, nfsroot: "{{_roots}}/{mac}" }
              disk: { local: true }
            defaults: { profile: disk }
            hosts:
              nuc3: { mac: 84:8f:69:e0:d4:11, ip: 10.69.1.3, profile: own }
              desk: { mac: 84:8f:69:e0:d4:12, ip: 10.69.1.4 }
            """);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Nuc3 => Path.Combine(_roots, "84-8f-69-e0-d4-11");

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var code = await CommandLine.RunAsync(args, o, e, Ct);
        return (code, o.ToString(), e.ToString());
    }

    private static async Task<string> Sh(string script)
    {
        var r = await new ToolRunner(TimeProvider.System).RunAsync(new ToolCall("/bin/bash", "-euo", "pipefail", "-c", script), Ct);
        Assert.True(r.Succeeded, r.Describe());
        return r.Output;
    }

    /// <summary>A small installed system as far as the copy is concerned.</summary>
    private async Task<string> TemplateAsync()
    {
        Peers.RequireRoot();
        Peers.Require("setfattr", "attr");
        Peers.Require("setfacl", "acl");
        Peers.Require("setcap", "libcap2-bin");
        var t = Path.Combine(_dir, "template");
        await Sh($"""
            T={t}
            mkdir -p $T/etc $T/usr/bin $T/home/ann $T/var/lib/dbus
            echo template > $T/etc/hostname
            printf 'UUID=0a1b2c3d / ext4 errors=remount-ro 0 1\n/dev/sda2 none swap sw 0 0\ntmpfs /tmp tmpfs defaults 0 0\n' > $T/etc/fstab
            echo 0123456789abcdef0123456789abcdef > $T/etc/machine-id
            ln -s /etc/machine-id $T/var/lib/dbus/machine-id
            printf 'su' > $T/usr/bin/su; chmod 4755 $T/usr/bin/su
            printf 'ping' > $T/usr/bin/ping; setcap cap_net_raw+ep $T/usr/bin/ping
            echo notes > $T/home/ann/notes; chown -R 1234:5678 $T/home/ann; chmod 0700 $T/home/ann
            ln $T/home/ann/notes $T/home/ann/notes-link
            ln -s ../../etc/hostname $T/usr/bin/relative-link
            ln -s /nonexistent/elsewhere $T/usr/bin/dangling-link
            setfattr -n user.netbootpi -v kept $T/home/ann/notes
            echo welcome > $T/etc/motd; setfacl -m u:4321:r $T/etc/motd
            """);
        return t;
    }

    /// <summary>Everything the copy must keep, one line each, as the root at <paramref name="root"/> shows it.</summary>
    private static Task<string> Facts(string root) => Sh($"""
        cd {root}
        stat -c '%n %a %u:%g' usr/bin/su home/ann home/ann/notes
        echo "hard link: $(stat -c %i home/ann/notes | cmp -s - <(stat -c %i home/ann/notes-link) && echo same-inode || echo different) links=$(stat -c %h home/ann/notes)"
        echo "symlinks: $(readlink usr/bin/relative-link) $(readlink usr/bin/dangling-link) $(readlink var/lib/dbus/machine-id)"
        echo "xattr: $(getfattr --only-values -n user.netbootpi home/ann/notes)"
        echo "acl: $(getfacl -c -n etc/motd | grep '^user:4321')"
        echo "capability: $(getcap usr/bin/ping | cut -d' ' -f2)"
        """);

    [Fact]
    public async Task From_a_directory_owners_modes_links_xattrs_acls_and_capabilities_survive_and_the_identity_is_the_hosts()
    {
        var template = await TemplateAsync();
        var (code, o, e) = await Run("nfsroot", "create", "nuc3", "--from", template, "--config", _site);
        Assert.True(code == 0, e);
        Assert.Contains($"{Nuc3} is nuc3's root", o);

        var expected = await Facts(template);
        Assert.Equal(expected, await Facts(Nuc3));
        Assert.Equal("""
            usr/bin/su 4755 0:0
            home/ann 700 1234:5678
            home/ann/notes 644 1234:5678
            hard link: same-inode links=2
            symlinks: ../../etc/hostname /nonexistent/elsewhere /etc/machine-id
            xattr: kept
            acl: user:4321:r--
            capability: cap_net_raw=ep

            """.Replace("\r", ""), expected);

        Assert.Equal("nuc3\n", await File.ReadAllTextAsync(Path.Combine(Nuc3, "etc", "hostname"), Ct));
        Assert.Equal("""
            # /etc/fstab of nuc3, written by 'netbootpi nfsroot create'.
            # The root is mounted over NFS by the kernel (root=/dev/nfs); the template's local disks are commented out.
            # netbootpi: not this machine's disk: UUID=0a1b2c3d / ext4 errors=remount-ro 0 1
            # netbootpi: not this machine's disk: /dev/sda2 none swap sw 0 0
            tmpfs /tmp tmpfs defaults 0 0

            """, await File.ReadAllTextAsync(Path.Combine(Nuc3, "etc", "fstab"), Ct));
        var id = await File.ReadAllTextAsync(Path.Combine(Nuc3, "etc", "machine-id"), Ct);
        Assert.Matches("^[0-9a-f]{32}\n$", id);
        Assert.NotEqual("0123456789abcdef0123456789abcdef\n", id);
        // The template itself is untouched, and nothing but the root is left beside it.
        Assert.Equal("template\n", await File.ReadAllTextAsync(Path.Combine(template, "etc", "hostname"), Ct));
        Assert.Equal(["84-8f-69-e0-d4-11"], Directory.GetFileSystemEntries(_roots).Select(Path.GetFileName));

        (code, o, _) = await Run("nfsroot", "list", "--config", _site);
        Assert.Equal(0, code);
        Assert.Equal($"nuc3             present  {Nuc3}\n", o);

        // show host: the root's state, its size, whom the site exports it to and whether nfsd has that export.
        var files = Directory.GetFiles(Nuc3, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }).Length;
        (code, o, _) = await Run("show", "host", "nuc3", "--config", _site);
        Assert.Equal(0, code);
        Assert.Contains($"\n             {Nuc3}: present, {files} files, 0.0 MiB; exported rw to 10.69.1.3 (", o);
        var etab = Path.Combine(_dir, "etab");
        await File.WriteAllTextAsync(etab, $"/srv/other\t10.69.1.3(rw)\n{Nuc3}\t10.69.1.3(rw,sync,wdelay,hide,nocrossmnt,secure,no_root_squash)\n", Ct);
        var site = Agent.Site.SiteFile.Load(_site).Inventory!;
        Assert.EndsWith("; exported rw to 10.69.1.3 (live)", NfsRootStatus.Describe(site, Nuc3, etab));
        Assert.EndsWith("; exported rw to 10.69.1.3 (not live)", NfsRootStatus.Describe(site, Nuc3, Path.Combine(_dir, "no-etab")));

        // A second create does not overwrite the root.
        (code, _, e) = await Run("nfsroot", "create", "nuc3", "--from", template, "--config", _site);
        Assert.Equal(1, code);
        Assert.Contains($"{Nuc3} already exists (remove it first: netbootpi nfsroot remove nuc3)", e);

        (code, o, _) = await Run("nfsroot", "remove", "nuc3", "--yes", "--config", _site);
        Assert.Equal(0, code);
        Assert.Equal($"{Nuc3} deleted\n", o);
        Assert.Empty(Directory.GetFileSystemEntries(_roots));
        Assert.True(Directory.Exists(template));
    }

    [Fact]
    public async Task From_a_tarball_the_same_survives_and_two_roots_get_different_machine_ids()
    {
        var template = await TemplateAsync();
        var tarball = Path.Combine(_dir, "template.tar.gz");
        await Sh($"tar --create --gzip --file {tarball} --directory {template} --xattrs --xattrs-include='*' --acls --numeric-owner .");
        var (code, _, e) = await Run("nfsroot", "create", "nuc3", "--from", tarball, "--config", _site);
        Assert.True(code == 0, e);
        Assert.Equal(await Facts(template), await Facts(Nuc3));
        Assert.Equal("nuc3\n", await File.ReadAllTextAsync(Path.Combine(Nuc3, "etc", "hostname"), Ct));

        var other = Path.Combine(_dir, "other");
        await new NfsRootStore(new ToolRunner(TimeProvider.System), TimeProvider.System).CreateAsync(other, "desk", tarball, _ => { }, Ct);
        Assert.NotEqual(await File.ReadAllTextAsync(Path.Combine(other, "etc", "machine-id"), Ct),
            await File.ReadAllTextAsync(Path.Combine(Nuc3, "etc", "machine-id"), Ct));
    }

    [Fact]
    public async Task A_copy_that_fails_halfway_leaves_nothing_at_the_target()
    {
        var template = await TemplateAsync();
        // A big file first, so that tar has extracted part of the tree when the archive ends.
        await Sh($"head -c 4000000 /dev/urandom > {template}/big; tar --create --file {_dir}/t.tar --directory {template} big etc usr home var; truncate -s 2000000 {_dir}/t.tar");
        var (code, _, e) = await Run("nfsroot", "create", "nuc3", "--from", Path.Combine(_dir, "t.tar"), "--config", _site);
        Assert.Equal(1, code);
        Assert.Contains($"netbootpi: nuc3: copying {_dir}/t.tar failed: tar --extract", e);
        Assert.Contains($"; nothing was created at {Nuc3}", e);
        Assert.False(NfsRootStore.Exists(Nuc3));
        // The half copy is gone too, not just hidden.
        Assert.Empty(Directory.GetFileSystemEntries(_roots));
    }

    [Fact]
    public async Task A_copy_left_by_a_killed_create_is_listed_never_at_the_target_and_removed_by_the_next_create()
    {
        var template = await TemplateAsync();
        // What a create killed with SIGKILL leaves: a hidden, partial copy beside the target.
        var left = Path.Combine(_roots, ".84-8f-69-e0-d4-11.netbootpi-new-0badc0de");
        Directory.CreateDirectory(Path.Combine(left, "etc"));
        var (_, o, _) = await Run("nfsroot", "list", "--config", _site);
        Assert.Equal($"nuc3             missing  {Nuc3}\n                 leftover {left} (removed by the next create)\n", o);

        var (code, created, e) = await Run("nfsroot", "create", "nuc3", "--from", template, "--config", _site);
        Assert.True(code == 0, e);
        Assert.StartsWith($"removing {left}, left by an interrupted create or remove\n", created);
        Assert.Equal(["84-8f-69-e0-d4-11"], Directory.GetFileSystemEntries(_roots).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_host_without_a_root_and_a_template_that_is_no_system_are_refused()
    {
        Peers.RequireRoot();
        var (code, _, e) = await Run("nfsroot", "create", "desk", "--from", "/nonexistent", "--config", _site);
        Assert.Equal(1, code);
        Assert.Equal("netbootpi: desk boots no per-host NFS root (its profile disk has no nfsroot, or a shared-ro one)\n", e);

        var empty = Directory.CreateDirectory(Path.Combine(_dir, "empty")).FullName;
        (code, _, e) = await Run("nfsroot", "create", "nuc3", "--from", empty, "--config", _site);
        Assert.Equal(1, code);
        Assert.Contains("is not a directory: the template is not a root file system (expected a copy of an installed system, with /etc)", e);
        Assert.False(NfsRootStore.Exists(Nuc3));
        Assert.Empty(Directory.GetFileSystemEntries(_roots));
    }

    [Fact]
    public async Task A_running_copy_reports_how_far_it_got()
    {
        var template = await TemplateAsync();
        var tarball = Path.Combine(_dir, "t.tar");
        await Sh($"tar --create --file {tarball} --directory {template} .");
        // tar reads the archive from a pipe: the copy runs until the test writes into it, so the clock can move meanwhile.
        var pipe = Path.Combine(_dir, "pipe.tar");
        await Sh($"mkfifo {pipe}");
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var said = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var create = new NfsRootStore(new ToolRunner(TimeProvider.System), clock).CreateAsync(Nuc3, "nuc3", pipe, said.Enqueue, Ct);

        clock.Advance(NfsRootStore.ProgressInterval);
        clock.Advance(NfsRootStore.ProgressInterval);
        await using (var writer = new FileStream(pipe, FileMode.Open, FileAccess.Write))
            await writer.WriteAsync(await File.ReadAllBytesAsync(tarball, Ct), Ct);
        await create;

        var lines = said.ToList();
        Assert.StartsWith($"copying {pipe} (an archive of 0.0 MiB) into {_roots}/.84-8f-69-e0-d4-11.netbootpi-new-", lines[0]);
        Assert.Equal(["  0 files, 0.0 MiB so far", "  0 files, 0.0 MiB so far"], lines.Skip(1).Take(2));
        Assert.Matches(@"^copied 8 files, 0\.0 MiB in 10\.0 s; writing /etc/hostname, /etc/fstab and /etc/machine-id for nuc3$", lines[3]);
        Assert.Equal($"{Nuc3} is nuc3's root", lines[^1]);
    }
}
