using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Leases;
using NetbootPi.Protocols.Net;
using static NetbootPi.Protocols.Tests.Dhcp.EngineHarness;

namespace NetbootPi.Protocols.Tests.Dhcp;

/// <summary>The engine keeps the name a client gives in its lease, and says when bindings change (for DNS).</summary>
public class DhcpEngineHostNameTests
{
    private static readonly Ipv4Address A100 = Ipv4Address.Parse("10.0.0.100");

    private static DhcpMessage? Select(EngineHarness h, MacAddress mac, string? name)
    {
        var offer = h.Send(h.Request(DhcpMessageType.Discover, mac))!;
        var req = h.Request(DhcpMessageType.Request, mac);
        req.Options.SetAddress(DhcpOptionCode.ServerIdentifier, Server);
        req.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, offer.YourAddress);
        if (name is not null) req.Options.SetString(DhcpOptionCode.HostName, name);
        return h.Send(req);
    }

    private static DhcpMessage? Renew(EngineHarness h, MacAddress mac, Ipv4Address address, string? name)
    {
        var req = h.Request(DhcpMessageType.Request, mac);
        req.ClientAddress = address;
        if (name is not null) req.Options.SetString(DhcpOptionCode.HostName, name);
        return h.Send(req, Eth0 with { Source = address });
    }

    [Fact]
    public void The_ack_records_the_clients_name_and_a_renewal_without_one_keeps_it()
    {
        var h = new EngineHarness();
        Assert.Equal(DhcpMessageType.Ack, Select(h, Mac(1), "Laptop.home.example")!.MessageType);
        Assert.Equal(new DhcpLease(A100, Mac(1), DhcpLeaseState.Bound, h.Time.GetUtcNow() + TimeSpan.FromHours(1), "laptop"), h.Journal.Records[^1]);

        h.Time.Advance(TimeSpan.FromMinutes(30));
        Assert.NotNull(Renew(h, Mac(1), A100, null));
        Assert.Equal("laptop", h.Journal.Records[^1].HostName);
        // A new name replaces it; an illegal one is no name, so the old one stays (dnsmasq calls lease_set_hostname only with a legal name).
        Assert.NotNull(Renew(h, Mac(1), A100, "desk"));
        Assert.Equal("desk", h.Journal.Records[^1].HostName);
        Assert.NotNull(Renew(h, Mac(1), A100, "-bad"));
        Assert.Equal("desk", h.Journal.Records[^1].HostName);
        Assert.Equal("desk", h.Engine.SnapshotLeases().Single().HostName);
    }

    [Fact]
    public void A_client_that_takes_over_an_ended_address_does_not_inherit_its_name()
    {
        var h = new EngineHarness(TestDhcpPolicy.Lan("10.0.0.100", "10.0.0.100"));
        Select(h, Mac(1), "laptop");
        h.Time.Advance(TimeSpan.FromHours(2));
        Assert.NotNull(Select(h, Mac(2), null));
        Assert.Equal(new DhcpLease(A100, Mac(2), DhcpLeaseState.Bound, h.Time.GetUtcNow() + TimeSpan.FromHours(1)), h.Journal.Records[^1]);
    }

    [Fact]
    public void Bindings_changed_is_raised_for_a_new_binding_a_name_and_a_release_not_for_a_renewal()
    {
        var h = new EngineHarness();
        var raised = 0;
        h.Engine.BindingsChanged += () => raised++;
        h.Send(h.Request(DhcpMessageType.Discover, Mac(1)));
        Assert.Equal(0, raised); // an offer binds nothing
        Select(h, Mac(1), "laptop");
        Assert.Equal(1, raised);
        h.Time.Advance(TimeSpan.FromMinutes(30));
        Renew(h, Mac(1), A100, "laptop");
        Renew(h, Mac(1), A100, null);
        Assert.Equal(1, raised); // renewals move the end only
        Renew(h, Mac(1), A100, "desk");
        Assert.Equal(2, raised);
        var release = h.Request(DhcpMessageType.Release, Mac(1));
        release.ClientAddress = A100;
        release.Options.SetAddress(DhcpOptionCode.ServerIdentifier, Server);
        h.Send(release);
        Assert.Equal(3, raised);
        // Bound again after the release: a change.
        Select(h, Mac(1), "desk");
        Assert.Equal(4, raised);
    }
}
