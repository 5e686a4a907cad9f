using System.Text.Json;
using System.Text.RegularExpressions;
using NetbootPi.Agent.Cli;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Installs;
using NetbootPi.Agent.Tests.Support;
using NetbootPi.Tests.Shared;

namespace NetbootPi.Agent.Tests.Installs;

/// <summary>
/// An install's whole life against the agent as its own process, with curl as the installer: the host's file only to
/// its own address (or, for a host without one, with its token), the completion call once, the next script booting
/// the disk, <c>netbootpi reinstall</c> making a new token and the old one worthless, every step an install event.
/// </summary>
public sealed partial class InstallAgentTests : IDisposable
{
    private const string Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBxXp+yyizZEmGf07RUvsgRAYWgc/q9CjPeDM3iHXkiT admin@lab";
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-install-agent-").FullName;

    private string Socket => Path.Combine(_dir, "control.sock");

    private static async Task<(int Code, string Out, string Err)> Cli(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var code = await CommandLine.RunAsync(args, o, e, TestContext.Current.CancellationToken);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public async Task A_host_fetches_its_own_file_reports_completion_once_then_boots_its_disk_until_reinstalled()
    {
        Peers.RequireRoot();
        Curl.RequireInstalled();
        var site = Path.Combine(_dir, "site.yaml");
        File.WriteAllText(site, $$"""
            site: { name: lab, domain: lab.internal, ssh_keys: ['{{Key}}'] }
            server: { state_dir: {{_dir}}/state, data_dir: {{_dir}}/data }
            networks:
              lo: { interface: lo, address: 127.0.0.1/8 }
            profiles:
              disk: { local: true }
              cloud:
                kernel: debian/vmlinuz
                install: { kind: nocloud, then: disk }
              fedora:
                kernel: fedora/vmlinuz
                install: { kind: kickstart, then: disk, disk: /dev/vda }
            defaults: { profile: none }
            hosts:
              cloudy: { mac: 02:00:00:00:00:01, ip: 127.0.0.2, profile: cloud }
              roamer: { mac: 02:00:00:00:00:02, profile: fedora }
            """);
        using var agent = AgentProcess.Start(new Dictionary<string, string> { [ControlSocketPath.EnvironmentVariable] = ControlSocketPath.None },
            "run", "--config", site, "--listen", "127.0.0.1", "--tftp-port", "0", "--http-listen", "127.0.0.1:0", "--no-dhcp", "--no-dns",
            "--control-socket", Socket);
        var line = agent.WaitFor("http listening on ");
        var box = line[line.IndexOf("http://", StringComparison.Ordinal)..].Trim();
        agent.WaitFor(" ready: site ");

        // The script points the kernel at the host's folder, with its token.
        var folder = Folder(Curl.Run("--interface", "127.0.0.2", $"{box}/boot/02:00:00:00:00:01.ipxe").Text, "s=");
        Assert.StartsWith($"{box}/install/02-00-00-00-00-01/", folder, StringComparison.Ordinal);
        var fetched = Curl.Run("--interface", "127.0.0.2", folder + "user-data");
        Assert.Equal(200, fetched.Status);
        Assert.Contains($"url: \"{folder}done\"", fetched.Text, StringComparison.Ordinal);

        // show host --install prints what the host fetched (the site's port is 80, this agent's another).
        var (code, shown, err) = await Cli("show", "host", "cloudy", "--install", "--socket", Socket);
        Assert.True(code == 0, err);
        var siteFolder = folder.Replace(box, "http://127.0.0.1", StringComparison.Ordinal);
        Assert.Contains($"# kernel arguments: ds=nocloud-net;s={siteFolder}\n", shown, StringComparison.Ordinal);
        Assert.Contains($"# ---- {siteFolder}user-data\n" + fetched.Text.Replace(box, "http://127.0.0.1", StringComparison.Ordinal), shown, StringComparison.Ordinal);

        // Another address, or another token, gets nothing.
        var stranger = Curl.Run("--interface", "127.0.0.3", folder + "user-data");
        Assert.Equal((403, "cloudy's install files are served only to its own address 127.0.0.2, not to 127.0.0.3\n"), (stranger.Status, stranger.Text));
        var forged = Curl.Run("--interface", "127.0.0.2", Regex.Replace(folder, "/[0-9a-f]{32}/$", "/0123456789abcdef0123456789abcdef/") + "user-data");
        Assert.Equal(403, forged.Status);
        Assert.Equal(403, Curl.Run("--interface", "127.0.0.3", "-X", "POST", folder + "done").Status);

        // Completion counts once; then the host boots its disk and its files are gone.
        var done = Curl.Run("--interface", "127.0.0.2", "-X", "POST", "--data", "instance_id=netbootpi-cloudy-1", folder + "done");
        Assert.Equal((200, "install 1 of cloudy recorded as complete; it boots profile disk from now on\n"), (done.Status, done.Text));
        Assert.Equal(409, Curl.Run("--interface", "127.0.0.2", "-X", "POST", folder + "done").Status);
        var local = Curl.Run("--interface", "127.0.0.2", $"{box}/boot/02:00:00:00:00:01.ipxe").Text;
        Assert.Contains("# installed: profile disk until 'netbootpi reinstall cloudy'\n", local, StringComparison.Ordinal);
        Assert.EndsWith("\nexit\n", local, StringComparison.Ordinal);
        Assert.Equal(410, Curl.Run("--interface", "127.0.0.2", folder + "user-data").Status);

        // A reinstall: the next script installs again with a new token; the old one is refused.
        (code, var reinstalled, err) = await Cli("reinstall", "cloudy", "--socket", Socket);
        Assert.True(code == 0, err);
        Assert.Equal("cloudy: install 2 (nocloud) at its next network boot, then profile disk\n", reinstalled);
        var again = Folder(Curl.Run("--interface", "127.0.0.2", $"{box}/boot/02:00:00:00:00:01.ipxe").Text, "s=");
        Assert.NotEqual(folder, again);
        Assert.Equal(403, Curl.Run("--interface", "127.0.0.2", folder + "user-data").Status);
        Assert.Contains("instance-id: \"netbootpi-cloudy-2\"", Curl.Run("--interface", "127.0.0.2", again + "meta-data").Text, StringComparison.Ordinal);

        // A host without a static address: its token is the whole credential, from wherever it is.
        var ks = Folder(Curl.Run("--interface", "127.0.0.9", $"{box}/boot/02:00:00:00:00:02.ipxe").Text, "inst.ks=");
        Assert.EndsWith("/ks.cfg", ks, StringComparison.Ordinal);
        Assert.Equal(200, Curl.Run("--interface", "127.0.0.9", ks).Status);
        Assert.Equal(403, Curl.Run("--interface", "127.0.0.9", ks.Replace("02-00-00-00-00-02", "02-00-00-00-00-01", StringComparison.Ordinal)).Status);

        // Every step is an install event; the state is kept in installs.json.
        var events = Curl.Run("--unix-socket", Socket, "http://netbootpi/api/v1/events?kind=install");
        using (var list = JsonDocument.Parse(events.Text))
        {
            var steps = list.RootElement.EnumerateArray().Where(e => e.GetProperty("client").GetString() is "install" or "uid:0")
                .Select(e => e.GetProperty("path").GetString()).ToList();
            Assert.Equal([
                    "install: user-data fetched from 127.0.0.2, the installer runs",
                    "install: completed (reported from 127.0.0.2); boots profile disk from now on",
                    "install: reinstall asked, install 2 at the next boot",
                    "install: ks.cfg fetched from 127.0.0.9, the installer runs",
                ], steps);
            Assert.Contains(list.RootElement.EnumerateArray(), e => e.GetProperty("status").GetInt32() == 403 && e.GetProperty("client").GetString() == "127.0.0.3");
        }
        // The tokens are credentials: the event log (every viewer reads it) and the journal show the paths without them.
        foreach (var url in new[] { folder, again, ks })
        {
            var token = url.Split('/')[^2];
            Assert.Matches("^[0-9a-f]{32}$", token);
            Assert.DoesNotContain(token, events.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(token, agent.Output, StringComparison.Ordinal);
        }
        Assert.Contains("\"/install/02-00-00-00-00-01/-/user-data\"", events.Text, StringComparison.Ordinal);
        var state = File.ReadAllText(Path.Combine(_dir, "state", InstallStore.FileName));
        Assert.Contains("\"generation\": 2", state, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir, "state", InstallStore.SecretName)));
    }

    /// <summary>The URL after <paramref name="key"/> on the script's kernel line.</summary>
    private static string Folder(string script, string key)
    {
        var m = Regex.Match(script, Regex.Escape(key) + "(http://[^ ]+)");
        Assert.True(m.Success, $"no {key} in the script:\n{script}");
        return m.Groups[1].Value;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
