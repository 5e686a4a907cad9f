using System.Net;
using System.Net.Sockets;
using System.Text;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Tests.Control.Accounts;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Http;

/// <summary>
/// One client address holds at most 64 connections to the boot HTTP server and to the control API (a slow-loris
/// client's sockets are its own, not the box's): the 65th is closed by the agent as it arrives, another address is
/// served beside them, and once one of the 64 ends the address may open one again. The agent as its own process;
/// the clients are raw sockets bound to their own loopback addresses, each sending half a request and waiting.
/// </summary>
public class ConnectionCapTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_boot_server_holds_an_address_to_64_connections_and_serves_another_beside_it()
    {
        var dir = Directory.CreateTempSubdirectory("netbootpi-cap-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "data"));
            await File.WriteAllTextAsync(Path.Combine(dir, "data", "file"), "served\n", Ct);
            await File.WriteAllTextAsync(Path.Combine(dir, "site.yaml"), $$"""
                site: { name: cap }
                server: { state_dir: {{dir}}/state, data_dir: {{dir}}/data }
                networks:
                  lo: { interface: lo, address: 127.0.0.1/8 }
                profiles:
                  p: { local: true }
                defaults: { profile: p }
                """, Ct);
            using var agent = AgentProcess.Start(new Dictionary<string, string> { [ControlSocketPath.EnvironmentVariable] = ControlSocketPath.None },
                "run", "--config", Path.Combine(dir, "site.yaml"), "--http-listen", "127.0.0.1:0", "--no-dhcp", "--no-tftp", "--no-dns");
            var line = agent.WaitFor("http listening on http://127.0.0.1:");
            var server = new IPEndPoint(IPAddress.Loopback, int.Parse(line[(line.LastIndexOf(':') + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture));
            await CheckCapAsync(server, IPAddress.Parse("127.0.0.44"), IPAddress.Parse("127.0.0.45"), "http", agent.WaitFor,
                async from =>
                {
                    // A full request from the other address, answered on its own connection.
                    using var s = await ConnectAsync(server, from);
                    await s.SendAsync(Encoding.ASCII.GetBytes("GET /files/file HTTP/1.1\r\nHost: box\r\nConnection: close\r\n\r\n"), Ct);
                    return await StatusLineAsync(s);
                });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task The_control_api_holds_an_address_to_64_connections_before_tls()
    {
        using var api = new AccountAgent();
        var process = api.Start();
        // The 64 are held on the redirect port (plain HTTP: half a request keeps a connection for Kestrel's 30 s, where
        // the HTTPS port would close it at the TLS handshake); the HTTPS port shares the cap and closes the 65th
        // before any handshake.
        var server = new IPEndPoint(IPAddress.Parse(api.Address), AccountAgent.RedirectPort);
        var https = new IPEndPoint(IPAddress.Parse(api.Address), AccountAgent.HttpsPort);
        await CheckCapAsync(server, IPAddress.Parse("127.0.0.46"), IPAddress.Parse("127.0.0.47"), "control API", process.WaitFor,
            async from =>
            {
                using var s = await ConnectAsync(server, from);
                await s.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: box\r\nConnection: close\r\n\r\n"), Ct);
                return await StatusLineAsync(s);
            },
            alsoClosed: https);
    }

    private static async Task CheckCapAsync(IPEndPoint server, IPAddress attacker, IPAddress other, string name, Func<string, string> waitFor,
        Func<IPAddress, Task<string>> served, IPEndPoint? alsoClosed = null)
    {
        var held = new List<Socket>();
        try
        {
            for (var i = 0; i < 64; i++)
            {
                var s = await ConnectAsync(server, attacker);
                held.Add(s);
                await s.SendAsync(Encoding.ASCII.GetBytes("GET /x HTTP/1.1\r\nHost: box\r\n"), Ct);
            }
            using (var extra = await ConnectAsync(server, attacker))
                Assert.True(await ClosedByServerAsync(extra), $"the 65th connection from {attacker} was not closed by the agent");
            if (alsoClosed is not null)
            {
                using var extra = await ConnectAsync(alsoClosed, attacker);
                Assert.True(await ClosedByServerAsync(extra), $"a connection from {attacker} to {alsoClosed} past the cap was not closed");
            }
            waitFor($"{name}: {attacker} has 64 connections open, the most one address may");

            Assert.StartsWith("HTTP/1.1 ", await served(other));
            // The 64 are still open: none of them closed.
            Assert.All(held, s => Assert.False(s.Poll(0, SelectMode.SelectRead), "a held connection was closed"));

            // One ends: the address may open one more, and it is served.
            held[0].Dispose();
            held.RemoveAt(0);
            string? status = null;
            for (var i = 0; i < 50 && status is null; i++)
            {
                // The agent notices the close a moment after the client makes it.
                var answer = await served(attacker);
                if (answer.Length > 0) status = answer;
                else await Task.Delay(100, Ct);
            }
            Assert.StartsWith("HTTP/1.1 ", status);
        }
        finally
        {
            foreach (var s in held) s.Dispose();
        }
        waitFor($"{name}: {attacker} has no connection open any more; ");
    }

    private static async Task<Socket> ConnectAsync(IPEndPoint server, IPAddress from)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(from, 0));
        await s.ConnectAsync(server, Ct);
        return s;
    }

    /// <summary>Whether the peer closes the connection (end of stream or a reset) within 10 s, reading nothing.</summary>
    private static async Task<bool> ClosedByServerAsync(Socket s)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            return await s.ReceiveAsync(new byte[64], SocketFlags.None, limit.Token) == 0;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>The response's status line, or "" when the connection ends before one.</summary>
    private static async Task<string> StatusLineAsync(Socket s)
    {
        var buffer = new byte[4096];
        var text = new StringBuilder();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            while (!text.ToString().Contains("\r\n", StringComparison.Ordinal))
            {
                var n = await s.ReceiveAsync(buffer, SocketFlags.None, limit.Token);
                if (n == 0) break;
                text.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
        }
        catch (SocketException)
        {
            return "";
        }
        var all = text.ToString();
        var end = all.IndexOf("\r\n", StringComparison.Ordinal);
        return end < 0 ? "" : all[..end];
    }
}
