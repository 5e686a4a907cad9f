using System.Text;
using System.Text.RegularExpressions;
using NetbootPi.Agent.Cli;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.NfsRoots;

/// <summary>
/// A profile's kernel and initrd from inside each machine's own NFS root (<c>{nfsroot}/vmlinuz</c>), served by the
/// agent as its own process over HTTP and TFTP to curl bound to each host's address (127.0.0.2, 127.0.0.3): the
/// root's own host gets its files, through a relative and an absolute link inside its tree; another host, a
/// file the profile does not name and a link planted to climb out of the root are refused, and the refusal is a
/// boot event with the link in the journal.
/// </summary>
public sealed partial class NfsRootFilesTests : IDisposable
{
    private const string Nuc1 = "02:00:00:00:00:01";
    private const string Nuc2 = "02:00:00:00:00:02";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-nfsroot-files-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Roots => Path.Combine(_dir, "roots");

    private string WriteSite()
    {
        // nuc1: Debian's own layout, /vmlinuz a relative link into boot/, and an initrd link written absolute.
        var nuc1 = Path.Combine(Roots, "nuc1");
        Directory.CreateDirectory(Path.Combine(nuc1, "boot"));
        Directory.CreateDirectory(Path.Combine(nuc1, "etc"));
        File.WriteAllText(Path.Combine(nuc1, "boot", "vmlinuz-6.1.0-28-amd64"), "nuc1's kernel");
        File.WriteAllText(Path.Combine(nuc1, "boot", "initrd.img-6.1.0-28-amd64"), "nuc1's initrd");
        File.WriteAllText(Path.Combine(nuc1, "etc", "shadow"), "root:$y$nuc1");
        File.CreateSymbolicLink(Path.Combine(nuc1, "vmlinuz"), "boot/vmlinuz-6.1.0-28-amd64");
        File.CreateSymbolicLink(Path.Combine(nuc1, "initrd.img"), "/boot/initrd.img-6.1.0-28-amd64");
        // nuc2 (root on its own tree) planted links that climb out towards the box's files.
        var nuc2 = Path.Combine(Roots, "nuc2");
        Directory.CreateDirectory(Path.Combine(nuc2, "boot"));
        File.WriteAllText(Path.Combine(_dir, "secret"), "the box's secret");
        File.CreateSymbolicLink(Path.Combine(nuc2, "vmlinuz"), "../../secret");
        File.CreateSymbolicLink(Path.Combine(nuc2, "boot", "up"), "../../../secret");
        File.CreateSymbolicLink(Path.Combine(nuc2, "initrd.img"), "boot/up");

        var site = Path.Combine(_dir, "site.yaml");
        File.WriteAllText(site, $$"""
            site: { name: roots }
            server: { state_dir: {{_dir}}/state, data_dir: {{_dir}}/data }
            networks:
              lo: { interface: lo, address: 127.0.0.1/8 }
            profiles:
              own: { kernel: "{nfsroot}/vmlinuz", initrd: "{nfsroot}/initrd.img", nfsroot: "{{Roots}}/{name}" }
            defaults: { profile: none }
            hosts:
              nuc1: { mac: {{Nuc1}}, ip: 127.0.0.2, profile: own }
              nuc2: { mac: {{Nuc2}}, ip: 127.0.0.3, profile: own }
            """);
        return site;
    }

    private static string Mac(string mac) => mac.Replace(':', '-');

    [Fact]
    public async Task Each_host_gets_its_own_roots_kernel_and_initrd_and_nothing_else_over_http_and_tftp()
    {
        Curl.RequireInstalled();
        var site = WriteSite();
        using var agent = AgentProcess.Start(null, "run", "--config", site, "--listen", "127.0.0.1", "--tftp-port", "0",
            "--http-listen", "127.0.0.1:0", "--no-dhcp");
        var http = HttpRegex().Match(agent.WaitFor("http listening on ")).Groups[1].Value;
        var tftp = TftpRegex().Match(agent.WaitFor("TFTP server listening on 127.0.0.1:")).Groups[1].Value;
        string Url(string mac, string file) => $"{http}/nfsroot/own/{Mac(mac)}/{file}";

        // The iPXE script points at the same URLs.
        var script = Curl.Run("--interface", "127.0.0.2", $"{http}/boot/{Nuc1}.ipxe");
        Assert.Contains($"kernel {http}/nfsroot/own/{Mac(Nuc1)}/vmlinuz initrd=initrd.img root=/dev/nfs nfsroot=127.0.0.1:{Roots}/nuc1,vers=3 ",
            Encoding.UTF8.GetString(script.Body));
        Assert.Contains($"initrd {http}/nfsroot/own/{Mac(Nuc1)}/initrd.img ||", Encoding.UTF8.GetString(script.Body));

        var kernel = Curl.Run("--interface", "127.0.0.2", Url(Nuc1, "vmlinuz"));
        Assert.Equal((200, "nuc1's kernel"), (kernel.Status, Encoding.UTF8.GetString(kernel.Body)));
        // An absolute link is the tree's own file, as nuc1 reads it.
        var initrd = Curl.Run("--interface", "127.0.0.2", Url(Nuc1, "initrd.img"));
        Assert.Equal((200, "nuc1's initrd"), (initrd.Status, Encoding.UTF8.GetString(initrd.Body)));

        // Another host may not read nuc1's root (not exported to it); nuc1 gets only what its profile names.
        Assert.Equal(403, Curl.Run("--interface", "127.0.0.3", Url(Nuc1, "vmlinuz")).Status);
        Assert.Equal(404, Curl.Run("--interface", "127.0.0.2", Url(Nuc1, "etc/shadow")).Status);
        Assert.Equal(404, Curl.Run("--interface", "127.0.0.2", $"{http}/nfsroot/nope/{Mac(Nuc1)}/vmlinuz").Status);

        // nuc2's planted links: refused, never the box's file.
        var planted = Curl.Run("--interface", "127.0.0.3", Url(Nuc2, "vmlinuz"));
        Assert.Equal(403, planted.Status);
        Assert.DoesNotContain("secret", Encoding.UTF8.GetString(planted.Body));
        agent.WaitFor("/vmlinuz -> ../../secret leads out of the root");
        Assert.Equal(403, Curl.Run("--interface", "127.0.0.3", Url(Nuc2, "initrd.img")).Status);
        agent.WaitFor("/boot/up -> ../../../secret leads out of the root");

        // TFTP: the same files to the same clients.
        async Task<(int Code, string Body)> Tftp(string from, string path)
        {
            var dest = Path.Combine(_dir, $"got-{Guid.NewGuid():N}");
            var (code, _, _) = await Tool.RunAsync("curl", ["-s", "--interface", from, "-o", dest, $"tftp://127.0.0.1:{tftp}/{path}"], Ct);
            return (code, File.Exists(dest) ? await File.ReadAllTextAsync(dest, Ct) : "");
        }
        Assert.Equal((0, "nuc1's kernel"), await Tftp("127.0.0.2", $"nfsroot/own/{Mac(Nuc1)}/vmlinuz"));
        Assert.NotEqual(0, (await Tftp("127.0.0.3", $"nfsroot/own/{Mac(Nuc1)}/vmlinuz")).Code);
        var (code, body) = await Tftp("127.0.0.3", $"nfsroot/own/{Mac(Nuc2)}/vmlinuz");
        Assert.NotEqual(0, code);
        Assert.DoesNotContain("secret", body);

        // The refusals are nuc2's boot events.
        string[] lines = [];
        for (var deadline = DateTime.UtcNow.AddSeconds(10); lines.Length < 2 && DateTime.UtcNow < deadline;)
        {
            var o = new StringWriter();
            await CommandLine.RunAsync(["events", "nuc2", "--config", site], o, new StringWriter(), Ct);
            lines = o.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (lines.Length < 2) await Task.Delay(50, Ct);
        }
        Assert.Contains(lines, l => l.Contains(" 127.0.0.3 nuc2 kernel 403 ", StringComparison.Ordinal) && l.EndsWith($"/nfsroot/own/{Mac(Nuc2)}/vmlinuz", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(" 127.0.0.3 nuc2 initrd 403 ", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"(http://127\.0\.0\.1:\d+)")]
    private static partial Regex HttpRegex();

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex TftpRegex();
}
