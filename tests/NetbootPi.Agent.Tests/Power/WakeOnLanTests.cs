using System.Buffers.Binary;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Power;

/// <summary>
/// Wake-on-LAN as it leaves the box: <c>netbootpi power HOST on</c> run inside the box's namespace, tcpdump in a
/// peer namespace on the other end of the link captures what arrives, and the frame is checked byte for byte.
/// </summary>
public sealed class WakeOnLanTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_magic_packet_is_broadcast_on_the_host_s_network_from_its_interface()
    {
        using var lab = new NetLab();
        var tcpdump = Peers.Require("tcpdump", "tcpdump");
        var box = lab.Namespace("box");
        var host = lab.Namespace("host");
        // Two networks on the box: the packet must leave by lan's interface, not the other one.
        lab.Link(box, "eth0", "10.9.0.1/24", host, "eth0", "10.9.0.2/24");
        var other = lab.Namespace("other");
        lab.Link(box, "eth1", "10.8.0.1/24", other, "eth0", "10.8.0.2/24");
        var site = lab.DhcpSite(
            "lan: { interface: eth0, address: 10.9.0.1/24 }\nmgmt: { role: management, interface: eth1, address: 10.8.0.1/24 }",
            "sleeper: { mac: 52:54:00:ab:cd:ef, ip: 10.9.0.50, power: { driver: wol } }");

        var pcap = lab.Path("wol.pcap");
        var capture = lab.Start(host, tcpdump, "-i", "eth0", "-n", "-U", "-c", "1", "-w", pcap, "udp", "port", "9");
        // tcpdump writes the file's header once it captures: from then on nothing that arrives is missed.
        for (var i = 0; i < 500 && !(File.Exists(pcap) && new FileInfo(pcap).Length >= 24); i++) await Task.Delay(20, Ct);
        Assert.True(File.Exists(pcap), "tcpdump did not start capturing within 10 s");

        var (code, stdout, stderr) = await lab.RunAsync(box, AgentProcess.Executable, ["power", "--direct", "sleeper", "on", "--config", site], Ct);
        Assert.Equal((0, ""), (code, stderr));
        Assert.Equal("sleeper: magic packet for 52:54:00:ab:cd:ef sent to 10.9.0.255:9 on network lan (eth0); Wake-on-LAN cannot tell whether it woke\n", stdout);

        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await capture.WaitForExitAsync(timeout.Token);
        }
        var file = await File.ReadAllBytesAsync(pcap, Ct);
        // pcap: a 24-byte file header, then per packet a 16-byte record header whose third field is the captured length.
        var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(24 + 8));
        var frame = file.AsSpan(24 + 16, length);
        Assert.Equal(14 + 20 + 8 + 102, frame.Length);
        Assert.Equal(Convert.FromHexString("ffffffffffff"), frame[..6].ToArray());           // Ethernet: to everyone,
        Assert.Equal(0x0800, BinaryPrimitives.ReadUInt16BigEndian(frame[12..]));            // IPv4,
        Assert.Equal(Convert.FromHexString("0a090001"), frame.Slice(14 + 12, 4).ToArray()); // from the box on lan,
        Assert.Equal(Convert.FromHexString("0a0900ff"), frame.Slice(14 + 16, 4).ToArray()); // to lan's broadcast,
        Assert.Equal(17, frame[14 + 9]);                                                     // UDP
        Assert.Equal(9, BinaryPrimitives.ReadUInt16BigEndian(frame[(14 + 20 + 2)..]));       // to port 9 (discard)
        var magic = frame[(14 + 20 + 8)..].ToArray();
        Assert.Equal("ffffffffffff" + string.Concat(Enumerable.Repeat("525400abcdef", 16)), Convert.ToHexStringLower(magic));

        var power = Assert.Single(BootEventLog.ReadFiles(lab.Path("state")), e => e.Kind == BootEventKind.Power);
        Assert.Equal(("sleeper", 0), (power.Host, power.Status));
        Assert.StartsWith("on: magic packet for 52:54:00:ab:cd:ef sent to 10.9.0.255:9", power.Path, StringComparison.Ordinal);

        // Off is not something a magic packet can do: said so, and recorded as not done.
        var (offCode, _, offErr) = await lab.RunAsync(box, AgentProcess.Executable, ["power", "--direct", "sleeper", "off", "--config", site], Ct);
        Assert.Equal((1, "netbootpi: power off sleeper: Wake-on-LAN can only turn a host on (off needs a front panel, a BMC or a hypervisor: see docs/power.md)\n"), (offCode, offErr));
    }
}
