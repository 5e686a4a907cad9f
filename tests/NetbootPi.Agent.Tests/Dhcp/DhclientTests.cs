using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Dhcp;

/// <summary>
/// ISC dhclient posing as a PXE ROM and then as iPXE (options 60, 93, 77 from its config): the boot file and
/// next-server it is given, as dhclient hands them to its script.
/// </summary>
public class DhclientTests
{
    private const string PxeMac = "02:77:02:00:00:0a";
    private const string NoneMac = "02:77:02:00:00:0b";

    private const string PxeOptions = """
        send vendor-class-identifier "PXEClient:Arch:00000:UNDI:002001";
        send pxe-system-type 0;
        """;

    [Fact]
    public async Task Pxe_client_gets_the_bios_loader_ipxe_its_script_and_profile_none_no_boot_file()
    {
        var ct = TestContext.Current.CancellationToken;
        var dhclient = Peers.Require("dhclient", "isc-dhcp-client");
        using var lab = new NetLab();
        var srv = lab.Namespace("srv");
        var cli = lab.Namespace("cli");
        lab.Link(srv, "s0", "10.77.2.1/24", cli, "c0", null, PxeMac);
        var site = lab.DhcpSite($$"""
            lan: { interface: s0, address: 10.77.2.1/24, dhcp: { mode: authoritative, range: 10.77.2.100-10.77.2.150 } }
            """, $$"""
            pxe: { mac: {{PxeMac}}, ip: 10.77.2.10 }
            off: { mac: {{NoneMac}}, ip: 10.77.2.11, profile: none }
            """);
        using var agent = lab.StartAgent(srv, site);
        agent.WaitFor("DHCP server listening on s0");

        var pxe = await Dhclient.LeaseAsync(lab, cli, "c0", dhclient, "pxe", PxeOptions, agent, ct);
        Assert.Equal("10.77.2.10", pxe["new_ip_address"]);
        Assert.Equal("undionly.kpxe", pxe.GetValueOrDefault("new_filename"));
        Assert.Equal("10.77.2.1", pxe.GetValueOrDefault("new_next_server"));
        Assert.Equal("10.77.2.1", pxe.GetValueOrDefault("new_tftp_server_name"));

        var ipxe = await Dhclient.LeaseAsync(lab, cli, "c0", dhclient, "ipxe", PxeOptions + "\nsend user-class \"iPXE\";", agent, ct);
        Assert.Equal("10.77.2.10", ipxe["new_ip_address"]);
        Assert.Equal($"http://10.77.2.1/boot/{PxeMac}.ipxe", ipxe.GetValueOrDefault("new_filename"));
        Assert.Equal("10.77.2.1", ipxe.GetValueOrDefault("new_next_server"));

        lab.SetMac(cli, "c0", NoneMac);
        var none = await Dhclient.LeaseAsync(lab, cli, "c0", dhclient, "none", PxeOptions, agent, ct);
        Assert.Equal("10.77.2.11", none["new_ip_address"]);
        Assert.False(none.ContainsKey("new_filename"), "profile none gets no boot file");
    }
}
