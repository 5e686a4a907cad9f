using System.Security.Cryptography;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Tftp;

/// <summary>
/// The agent serving TFTP on 127.0.0.1:69 inside a network namespace of its own (the agent is a process of its
/// own there: a .NET process never calls setns), with a root holding the sizes that matter (empty, around one
/// 512-byte block, 1 MiB, and 33 MiB, which is past 65,535 blocks of 512 bytes), a text file for netascii, and
/// symlinks that point out of the root to a secret beside it. Dispose kills the agent and removes the namespace
/// and the files, also after a failed start.
/// </summary>
public sealed class TftpClientsInNamespaceFixture : IAsyncLifetime
{
    public const string Address = "127.0.0.1";
    public const int Port = 69;

    public static readonly IReadOnlyDictionary<string, int> Sizes = new Dictionary<string, int>
    {
        ["empty.bin"] = 0,
        ["511.bin"] = 511,
        ["512.bin"] = 512,
        ["513.bin"] = 513,
        ["1m.bin"] = 1 << 20,
        ["33m.bin"] = 33 << 20,
    };

    public const string Text = "text.txt";

    private readonly Dictionary<string, string> _sha256 = [];
    private NetLab? _lab;
    private AgentProcess? _agent;
    private string _namespace = "";

    /// <summary>Why the agent is not running (no root, no iproute2), for the tests' skip message.</summary>
    public string? Unavailable { get; private set; }

    public string Root => _lab!.Path("root");

    public IReadOnlyDictionary<string, string> Sha256 => _sha256;

    internal AgentProcess Agent => _agent!;

    public async ValueTask InitializeAsync()
    {
        // A fixture cannot skip: it records why, and every test skips (or fails on CI) with that reason.
        Unavailable = !Peers.IsRoot ? "needs root (network namespaces)"
            : Peers.Find("ip") is null ? "ip is not installed (Debian package iproute2; tools/deps.sh installs it)"
            : null;
        if (Unavailable is not null) return;
        try
        {
            await StartAsync();
        }
        catch
        {
            // xunit does not dispose a fixture whose initialization threw.
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        _lab = new NetLab();
        Directory.CreateDirectory(Root);
        var secret = _lab.Path("secret.txt");
        await File.WriteAllTextAsync(secret, "outside the root");
        var random = new Random(33);
        foreach (var (name, size) in Sizes)
        {
            var content = new byte[size];
            random.NextBytes(content);
            await File.WriteAllBytesAsync(Path.Join(Root, name), content);
            _sha256[name] = Convert.ToHexString(SHA256.HashData(content));
        }
        await File.WriteAllBytesAsync(Path.Join(Root, Text), "line one\nline two\r\nbare\rcr\n\nend"u8.ToArray());
        Directory.CreateDirectory(Path.Join(Root, "a"));
        File.CreateSymbolicLink(Path.Join(Root, "link-out"), secret);
        Directory.CreateSymbolicLink(Path.Join(Root, "link-out-dir"), _lab.Directory);

        var site = _lab.Path("site.yaml");
        await File.WriteAllTextAsync(site, $$"""
            site: { name: tftpns }
            server: { state_dir: {{_lab.Path("state")}}, data_dir: {{_lab.Path("data")}}, tftp_root: {{Root}} }
            networks:
              lo: { interface: lo, address: 127.0.0.1/8 }
            profiles:
              p: { local: true }
            defaults: { profile: p }
            hosts:
              a: { mac: 02:00:00:00:00:01, ip: 127.0.0.2 }
            """);
        _namespace = _lab.Namespace("tftp");
        _agent = _lab.StartTftpAgent(_namespace, site, Address, Port);
        _agent.WaitFor($"TFTP server listening on {Address}:{Port}");
    }

    /// <summary>A fresh directory for one client's output, inside the lab directory (removed on dispose).</summary>
    public string NewOutputDirectory() => Directory.CreateDirectory(_lab!.Path($"out-{Guid.NewGuid():N}")).FullName;

    /// <summary>
    /// Runs a client inside the agent's namespace (via <c>ip netns exec</c>), for at most two minutes, and ends it
    /// as soon as the agent exits: a client of a dead server retries for minutes, once for every test left.
    /// </summary>
    public async Task<(int Code, string Out, string Err)> RunClientAsync(string client, IEnumerable<string> args, CancellationToken cancellation)
    {
        var agent = Agent;
        if (agent.HasExited) throw new Xunit.Sdk.XunitException($"netbootpi is not running. Output:\n{agent.Output}");
        using var agentExited = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        using var clientDone = new CancellationTokenSource();
        var watch = agent.WaitForExitAsync(clientDone.Token).ContinueWith(
            exit => { if (exit.IsCompletedSuccessfully) agentExited.Cancel(); }, TaskScheduler.Default);
        try
        {
            return await _lab!.RunAsync(_namespace, client, args, agentExited.Token, TimeSpan.FromMinutes(2));
        }
        catch (Exception e) when (agent.HasExited && e is OperationCanceledException or Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"netbootpi exited while {Path.GetFileName(client)} ran. Output:\n{agent.Output}");
        }
        finally
        {
            // Before the sources are disposed: the continuation may still cancel agentExited.
            await clientDone.CancelAsync();
            await watch;
        }
    }

    public ValueTask DisposeAsync()
    {
        // NetLab kills the agent, deletes the namespace and removes the directory with the tree in it.
        _lab?.Dispose();
        _lab = null;
        _agent = null;
        return ValueTask.CompletedTask;
    }
}
