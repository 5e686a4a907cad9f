using System.Diagnostics;
using System.Runtime.InteropServices;

namespace NetbootPi.Protocols.Tests.Namespaces;

/// <summary>
/// A network namespace the test creates and always deletes. Commands run in it through <c>ip netns exec</c>;
/// <see cref="Run{T}"/> runs code on a thread that joined it, so sockets created there live in it.
/// </summary>
internal sealed class NetworkNamespace : IDisposable
{
    private NetworkNamespace(string name) => Name = name;

    public string Name { get; }

    /// <summary>Null when this machine cannot host the test (not root, no iproute2); the reason is in <paramref name="why"/>.</summary>
    public static NetworkNamespace? TryCreate(string prefix, out string why)
    {
        why = "";
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            why = "network namespaces need root on Linux";
            return null;
        }
        if (!File.Exists("/usr/sbin/ip") && !File.Exists("/sbin/ip") && !File.Exists("/usr/bin/ip"))
        {
            why = "iproute2 (ip) is not installed";
            return null;
        }
        var name = $"{prefix}-{Environment.ProcessId % 10000}-{Random.Shared.Next(100000)}";
        var (code, output) = Host("ip", "netns", "add", name);
        if (code != 0)
        {
            why = $"ip netns add failed: {output}";
            return null;
        }
        var ns = new NetworkNamespace(name);
        ns.Ip("link", "set", "lo", "up");
        return ns;
    }

    /// <summary>Runs <c>ip -n NAME args</c>; throws with its output when it fails.</summary>
    public void Ip(params string[] args)
    {
        var (code, output) = Host(TimeSpan.FromSeconds(30), "ip", ["-n", Name, .. args]);
        if (code != 0) throw new InvalidOperationException($"ip -n {Name} {string.Join(' ', args)}: {output}");
    }

    /// <summary>Runs a program inside the namespace, killing it after <paramref name="limit"/>.</summary>
    public (int ExitCode, string Output) ExecIn(TimeSpan limit, string program, params string[] args) =>
        Host(limit, "ip", ["netns", "exec", Name, program, .. args]);

    public T Run<T>(Func<T> action)
    {
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/var/run/netns/{Name}");
                if (Libc.SetNs((int)handle.DangerousGetHandle(), Libc.CLONE_NEWNET) != 0)
                    throw new InvalidOperationException($"setns({Name}) failed: errno {Marshal.GetLastPInvokeError()}");
                result = action();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        thread.Start();
        thread.Join();
        if (error is not null) throw new InvalidOperationException($"in namespace {Name}: {error.Message}", error);
        return result;
    }

    public void Dispose() => Host("ip", "netns", "del", Name);

    /// <summary>Runs a program in the test's own namespace.</summary>
    public static (int ExitCode, string Output) Host(string program, params string[] args) =>
        Host(TimeSpan.FromSeconds(30), program, args);

    public static (int ExitCode, string Output) Host(TimeSpan limit, string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(limit))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        return (p.HasExited ? p.ExitCode : -1, stdout.Result + stderr.Result);
    }
}
