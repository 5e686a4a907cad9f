using NetbootPi.Agent.Apply.Network;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Tests.Apply.Network;

public class LockoutGuardTests
{
    private static NetworkWanted With(ManagementAccess? m, NetworkBackend backend = NetworkBackend.Networkd) =>
        NetworkWanted.Nothing with { Backend = backend, Management = m };

    private static readonly ManagementAccess Mgmt = new("mgmt", "eth0", "192.168.69.1/24", Ssh: true);

    [Fact]
    public void The_same_access_passes_and_the_first_network_is_only_checked_for_ssh()
    {
        Assert.Null(LockoutGuard.Check(With(Mgmt), With(Mgmt)));
        Assert.Null(LockoutGuard.Check(null, With(Mgmt)));
        Assert.NotNull(LockoutGuard.Check(null, With(Mgmt with { Ssh = false })));
    }

    [Theory]
    [InlineData("eth0.5", "192.168.69.1/24", "the management network would move from 192.168.69.1/24 on eth0 to 192.168.69.1/24 on eth0.5: a session to 192.168.69.1 would be cut")]
    [InlineData("eth0", "192.168.69.2/24", "the management network would move from 192.168.69.1/24 on eth0 to 192.168.69.2/24 on eth0: a session to 192.168.69.1 would be cut")]
    public void Moving_the_management_address_is_refused(string iface, string address, string reason) =>
        Assert.Equal(reason, LockoutGuard.Check(With(Mgmt), With(Mgmt with { Interface = iface, Address = address })));

    [Fact]
    public void Closing_ssh_on_the_management_network_is_refused_and_backend_none_touches_nothing()
    {
        Assert.Equal("SSH would no longer be allowed on the management network mgmt (eth0): firewall.allow.mgmt must list ssh",
            LockoutGuard.Check(With(Mgmt), With(Mgmt with { Ssh = false })));
        Assert.Null(LockoutGuard.Check(With(Mgmt), With(null, NetworkBackend.None)));
        Assert.Equal("the site has no management network: nothing says where operators reach the box", LockoutGuard.Check(With(Mgmt), With(null)));
    }
}
