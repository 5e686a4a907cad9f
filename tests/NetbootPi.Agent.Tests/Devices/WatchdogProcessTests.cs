using System.Net;
using System.Net.Sockets;
using System.Text;
using NetbootPi.Agent.Health;
using NetbootPi.Agent.Tests.Site;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Devices;

/// <summary>
/// The agent as its own process, given a systemd watchdog the way systemd gives it (WATCHDOG_USEC and a
/// notification socket): it pets while healthy and stops when its TFTP loop, its event writer or its HTTP server
/// wedges (the fault hook), saying why.
/// </summary>
public class WatchdogProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-watchdog-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("tftp-wedge", "the TFTP on 127.0.0.1:0 loop has been handling one request for")]
    [InlineData("events-wedge", "the boot event writer loop has been handling one request for")]
    [InlineData("http-wedge", "the HTTP server has not answered the box's own request for")]
    public async Task A_wedged_loop_stops_the_pets_and_the_log_names_the_loop(string fault, string reason)
    {
        var ct = TestContext.Current.CancellationToken;
        string site = Path.Combine(_dir, "site.yaml");
        File.WriteAllText(site, SiteText.Minimal.Replace("  upstream_dns: [1.1.1.1]", $"  upstream_dns: [1.1.1.1]\nserver: {{ state_dir: {_dir}/state }}"));
        using var notify = new NotifySocket();
        using var agent = AgentProcess.Start(new Dictionary<string, string>
            {
                ["NOTIFY_SOCKET"] = notify.Path,
                ["WATCHDOG_USEC"] = "1000000",
                [FaultHooks.EnvironmentVariable] = fault,
            },
            "run", "--config", site, "--listen", "127.0.0.1", "--tftp-port", "0", "--http-listen", "127.0.0.1:0", "--no-dhcp");
        agent.WaitFor($"NETBOOTPI_FAULT={fault} is set: a fault is switched on for a test; never on a box");
        var listening = agent.WaitFor("TFTP server listening on 127.0.0.1:");
        int port = int.Parse(listening[(listening.LastIndexOf(':') + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var httpLine = agent.WaitFor("http listening on http://127.0.0.1:");
        var httpUrl = httpLine[httpLine.IndexOf("http://", StringComparison.Ordinal)..].Trim();

        // Healthy: READY=1 and signs of life every half second.
        var seen = new List<string>();
        while (seen.Count(m => m == "WATCHDOG=1") < 3) seen.Add(await notify.ReceiveAsync(ct));

        // One TFTP read request (the TFTP loop hangs in it) or one boot event (an HTTP fetch of /keys.pub: the event
        // writer hangs on it), and after 5 s the checks fail; a wedged HTTP server hangs the check's own request,
        // and after 10 s without an answer the check fails.
        if (fault == "tftp-wedge")
        {
            using var client = new UdpClient();
            client.Send(Encoding.ASCII.GetBytes("\0\u0001pxelinux.0\0octet\0"), new IPEndPoint(IPAddress.Loopback, port));
        }
        else if (fault == "events-wedge")
        {
            using var http = new HttpClient();
            (await http.GetAsync($"{httpUrl}/keys.pub", ct)).EnsureSuccessStatusCode();
        }
        var line = agent.WaitFor(l => l.Contains("watchdog: not petting, unhealthy for"), 0, "the watchdog's refusal");
        Assert.Contains(reason, line);

        // What was sent before the failing round is still queued: drained first. From then on no sign of life
        // reaches systemd (pets came every half second while healthy).
        await ReadForAsync(notify, TimeSpan.FromMilliseconds(300), idle: true, ct);
        var after = await ReadForAsync(notify, TimeSpan.FromSeconds(2), idle: false, ct);
        Assert.DoesNotContain("WATCHDOG=1", after);
    }

    /// <summary>
    /// The notifications that arrive within <paramref name="span"/> (or, with <paramref name="idle"/>, until none has
    /// arrived for that long).
    /// </summary>
    private static async Task<List<string>> ReadForAsync(NotifySocket notify, TimeSpan span, bool idle, CancellationToken ct)
    {
        var messages = new List<string>();
        using var window = CancellationTokenSource.CreateLinkedTokenSource(ct);
        window.CancelAfter(span);
        try
        {
            while (true)
            {
                messages.Add(await notify.ReceiveAsync(window.Token));
                if (idle) window.CancelAfter(span);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }
        return messages;
    }
}
