using System.Diagnostics;
using System.Security.Cryptography;

namespace NetbootPi.Agent.Tests.Support;

/// <summary>
/// A throw-away network for one test: uniquely named namespaces joined by veth pairs or bridges, a temporary
/// directory, and every process started in them. Dispose kills the processes and deletes the namespaces (their
/// links go with them), also when the test failed. Needs root and iproute2; skips (fails on CI) otherwise.
/// </summary>
internal sealed class NetLab : IDisposable
{
    private readonly string _tag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
    private readonly List<string> _namespaces = [];
    private readonly List<Process> _processes = [];
    private readonly List<AgentProcess> _agents = [];

    public NetLab()
    {
        Peers.RequireRoot();
        Ip = Peers.Require("ip", "iproute2");
        Directory = System.IO.Directory.CreateTempSubdirectory($"netbootpi-lab-{_tag}-").FullName;
    }

    public string Ip { get; }

    /// <summary>A temporary directory removed on dispose.</summary>
    public string Directory { get; }

    public string Path(string name) => System.IO.Path.Combine(Directory, name);

    /// <summary>An executable shell script in the lab directory, for peers that run hooks (udhcpc -s).</summary>
    public string Script(string name, string body)
    {
        var path = Path(name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (OperatingSystem.IsLinux()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>A new namespace with loopback up; <paramref name="role"/> keeps the name readable in `ip netns`.</summary>
    public string Namespace(string role)
    {
        var name = $"nbp-{_tag}-{role}";
        Must(Ip, "netns", "add", name);
        _namespaces.Add(name);
        Must(Ip, "-n", name, "link", "set", "lo", "up");
        return name;
    }

    /// <summary>A veth pair from <paramref name="nsA"/> to <paramref name="nsB"/>, both ends up, with optional addresses (CIDR).</summary>
    public void Link(string nsA, string ifA, string? cidrA, string nsB, string ifB, string? cidrB, string? macB = null)
    {
        Must(Ip, "-n", nsA, "link", "add", ifA, "type", "veth", "peer", "name", ifB, "netns", nsB);
        if (macB is not null) Must(Ip, "-n", nsB, "link", "set", "dev", ifB, "address", macB);
        Up(nsA, ifA, cidrA);
        Up(nsB, ifB, cidrB);
    }

    /// <summary>A bridge in <paramref name="ns"/> (no STP, no forwarding delay), up, with an optional address.</summary>
    public void Bridge(string ns, string name, string? cidr)
    {
        Must(Ip, "-n", ns, "link", "add", name, "type", "bridge", "forward_delay", "0", "stp_state", "0");
        Up(ns, name, cidr);
    }

    /// <summary>A veth from <paramref name="ns"/> into <paramref name="bridge"/> in <paramref name="bridgeNs"/>.</summary>
    public void Attach(string bridgeNs, string bridge, string port, string ns, string iface, string? cidr, string? mac = null)
    {
        Link(bridgeNs, port, null, ns, iface, cidr, mac);
        Must(Ip, "-n", bridgeNs, "link", "set", port, "master", bridge);
    }

    /// <summary>A tap device in <paramref name="ns"/> on <paramref name="bridge"/>, for a qemu VM started in that namespace.</summary>
    public void Tap(string ns, string name, string bridge)
    {
        Must(Ip, "-n", ns, "tuntap", "add", name, "mode", "tap");
        Must(Ip, "-n", ns, "link", "set", name, "master", bridge);
        Must(Ip, "-n", ns, "link", "set", name, "up");
    }

    public void Up(string ns, string iface, string? cidr)
    {
        if (cidr is not null) Must(Ip, "-n", ns, "addr", "add", cidr, "dev", iface);
        Must(Ip, "-n", ns, "link", "set", iface, "up");
    }

    /// <summary>Changes a link's MAC (down, set, up: not every driver takes it while up).</summary>
    public void SetMac(string ns, string iface, string mac)
    {
        Must(Ip, "-n", ns, "link", "set", iface, "down");
        Must(Ip, "-n", ns, "link", "set", "dev", iface, "address", mac);
        Must(Ip, "-n", ns, "link", "set", iface, "up");
    }

    /// <summary>Runs a command inside <paramref name="ns"/> to completion (bounded) and returns its result.</summary>
    public Task<(int Code, string Out, string Err)> RunAsync(string ns, string file, IEnumerable<string> args,
        CancellationToken cancellation, TimeSpan? limit = null) =>
        Tool.RunAsync(Ip, ["netns", "exec", ns, file, .. args], cancellation, limit);

    /// <summary>Starts a long-running command inside <paramref name="ns"/>; killed on dispose.</summary>
    public Process Start(string ns, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(Ip) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["netns", "exec", ns, file, .. args]) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        // Drained so a chatty peer never blocks on a full pipe.
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _processes.Add(p);
        return p;
    }

    /// <summary>
    /// Writes the site the DHCP peer tests share: site lab, the state directory in the lab, one local-boot
    /// profile as the default, and the given <paramref name="networks"/> and <paramref name="hosts"/> (YAML
    /// mapping bodies, one entry per line, without indentation); returns its path.
    /// </summary>
    public string DhcpSite(string networks, string hosts = "")
    {
        static string Indent(string body) => string.Concat(body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "\n  " + l));
        var path = Path("site.yaml");
        File.WriteAllText(path, $$"""
            site: { name: lab, domain: lab.internal }
            server: { state_dir: {{Path("state")}} }
            networks:{{Indent(networks)}}
            profiles:
              p: { local: true }
            defaults: { profile: p }
            hosts:{{(hosts.Length == 0 ? " {}" : Indent(hosts))}}

            """);
        return path;
    }

    /// <summary>
    /// The agent in <paramref name="ns"/> (`ip netns exec` execs it: the process is the agent itself), optionally
    /// through more wrappers that exec it too (e.g. setpriv to drop a capability). It logs at Debug, where the DHCP
    /// server writes a line per request, which the tests wait for.
    /// </summary>
    public AgentProcess StartAgent(string ns, string site, params string[] wrapper)
    {
        var agent = AgentProcess.Start(new Dictionary<string, string> { ["NETBOOTPI_LOG_LEVEL"] = "debug" },
            [Ip, "netns", "exec", ns, .. wrapper], "run", "--config", site, "--no-tftp", "--http-listen", "127.0.0.1:0");
        _agents.Add(agent);
        return agent;
    }

    /// <summary>
    /// The agent in <paramref name="ns"/> serving TFTP on <paramref name="listen"/>:<paramref name="tftpPort"/>
    /// (69 is free inside a namespace of our own) with DHCP off, for real TFTP clients run with <see cref="RunAsync"/>.
    /// </summary>
    public AgentProcess StartTftpAgent(string ns, string site, string listen = "127.0.0.1", int tftpPort = 69)
    {
        var agent = AgentProcess.Start(null, [Ip, "netns", "exec", ns], "run", "--config", site, "--listen", listen,
            "--tftp-port", tftpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-dhcp",
            "--http-listen", "127.0.0.1:0");
        _agents.Add(agent);
        return agent;
    }

    /// <summary>Runs a program to its end; its standard error in the failure when it exits non-zero.</summary>
    internal static void Must(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new Xunit.Sdk.XunitException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {err}");
    }

    public void Dispose()
    {
        foreach (var a in _agents) a.Dispose();
        foreach (var p in _processes)
        {
            try
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
                p.WaitForExit();
            }
            catch (InvalidOperationException)
            {
                // already reaped
            }
            p.Dispose();
        }
        foreach (var ns in _namespaces)
        {
            try
            {
                Must(Ip, "netns", "del", ns);
            }
            catch (Xunit.Sdk.XunitException)
            {
                // best effort: the next namespaces of other tests have other names
            }
        }
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
