using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using NetbootPi.KernelLab.Tests.Support;

namespace NetbootPi.KernelLab.Tests.Lab;

/// <summary>
/// Devices on demand, in fast mode: NICs into host namespaces, a network between two VMs. qemu's watchdog and the
/// harness's report of its reset: <see cref="Hardware.WatchdogDriverTests"/>.
/// </summary>
public class DeviceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_NIC_joins_a_bridge_in_a_host_namespace_and_goes_with_the_VM()
    {
        LabHarness.Require();
        string ip = Peers.Require("ip", "iproute2");
        string ns = $"nbplab-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        await Must(ip, "netns", "add", ns);
        try
        {
            await Must(ip, "-n", ns, "link", "add", "br0", "type", "bridge", "forward_delay", "0", "stp_state", "0");
            await Must(ip, "-n", ns, "addr", "add", "10.123.0.1/24", "dev", "br0");
            await Must(ip, "-n", ns, "link", "set", "br0", "up");

            var (code, stdout, stderr) = await LabHarness.RunOnceAsync(["--nic", $"netns={ns},bridge=br0,mac=52:54:6c:00:00:01"],
                ["/bin/sh", "-c", """
                    cat /sys/class/net/eth0/address
                    ip addr add 10.123.0.2/24 dev eth0 && ip link set eth0 up
                    for i in $(seq 30); do ping -c1 -W1 10.123.0.1 >/dev/null && echo reached && exit 0; done; exit 1
                    """], TimeSpan.FromMinutes(3), Ct);

            Assert.True(code == 0, $"the VM did not reach the bridge in {ns} ({code})\n{stdout}\n{stderr}");
            Assert.Equal("52:54:6c:00:00:01\nreached\n", stdout);
            // The tap was qemu's: it went with the VM.
            var (_, links, _) = await Tool.RunAsync(ip, ["-n", ns, "-o", "link"], Ct);
            Assert.DoesNotContain("nbpl", links);
        }
        finally
        {
            await Tool.RunAsync(ip, ["netns", "del", ns], CancellationToken.None);
        }
    }

    [Fact]
    public async Task Two_VMs_on_a_qemu_socket_network_reach_each_other()
    {
        LabHarness.Require();
        // UDP both ways: neither VM has to be up before the other, as a listen/connect pair would need.
        int portA = FreeUdpPort(), portB = FreeUdpPort();
        static string[] PingPeer(string self, string peer) => ["/bin/sh", "-c", $"""
            ip addr add {self}/24 dev eth0 && ip link set eth0 up
            for i in $(seq 90); do
              if ping -c1 -W1 {peer} >/dev/null; then echo "reached {peer}"; sleep 10; exit 0; fi
            done
            exit 1
            """];
        // One vCPU each: two VMs share the machine's two cores.
        var a = LabHarness.RunOnceAsync(["--cpus", "1", "--nic", $"socket,udp=127.0.0.1:{portB},localaddr=127.0.0.1:{portA}"],
            PingPeer("10.124.0.1", "10.124.0.2"), TimeSpan.FromMinutes(4), Ct);
        var b = LabHarness.RunOnceAsync(["--cpus", "1", "--nic", $"socket,udp=127.0.0.1:{portA},localaddr=127.0.0.1:{portB}"],
            PingPeer("10.124.0.2", "10.124.0.1"), TimeSpan.FromMinutes(4), Ct);
        var (ra, rb) = (await a, await b);

        Assert.True(ra.Code == 0, $"VM A: {ra.Code}\n{ra.Out}\n{ra.Err}");
        Assert.True(rb.Code == 0, $"VM B: {rb.Code}\n{rb.Out}\n{rb.Err}");
        Assert.Equal("reached 10.124.0.2\n", ra.Out);
        Assert.Equal("reached 10.124.0.1\n", rb.Out);
    }

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static async Task Must(string file, params string[] args)
    {
        var (code, _, err) = await Tool.RunAsync(file, args, Ct);
        if (code != 0) throw new Xunit.Sdk.XunitException($"{file} {string.Join(' ', args)} failed ({code}): {err}");
    }
}
