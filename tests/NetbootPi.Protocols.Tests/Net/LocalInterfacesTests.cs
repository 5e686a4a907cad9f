using System.Net;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Tests.Net;

/// <summary>The one interface lookup, against this machine's loopback (every Linux machine has it, as the kernel made it).</summary>
public class LocalInterfacesTests
{
    private static string Sys(string name, string what) => File.ReadAllText($"/sys/class/net/{name}/{what}").Trim();

    [Fact]
    public void Loopback_is_found_by_name_and_by_address_with_what_the_kernel_says_of_it()
    {
        var lo = LocalInterfaces.Find("lo");
        Assert.NotNull(lo);
        Assert.Equal(int.Parse(Sys("lo", "ifindex"), System.Globalization.CultureInfo.InvariantCulture), lo.Index);
        Assert.Equal(int.Parse(Sys("lo", "mtu"), System.Globalization.CultureInfo.InvariantCulture), lo.Mtu);
        Assert.Null(lo.Mac); // 00:00:00:00:00:00 is no hardware address
        Assert.Contains(lo.Ipv4, a => a.ToString() == "127.0.0.1/8");
        Assert.Equal("lo", LocalInterfaces.Holding(IPAddress.Loopback)?.Name);
        Assert.Equal(lo.Mtu, LocalInterfaces.MtuOf(IPAddress.Loopback));
    }

    [Fact]
    public void What_is_not_there_is_null()
    {
        Assert.Null(LocalInterfaces.Find("nbp-no-such0"));
        Assert.Null(LocalInterfaces.Holding(IPAddress.Parse("192.0.2.77")));
        Assert.Null(LocalInterfaces.Holding(IPAddress.Any));
        Assert.Null(LocalInterfaces.MtuOf(IPAddress.IPv6Loopback));
    }

    [Fact]
    public void Every_interface_the_kernel_lists_is_listed_with_its_index()
    {
        var names = Directory.GetDirectories("/sys/class/net").Select(Path.GetFileName).Order().ToArray();
        var listed = LocalInterfaces.List();
        Assert.Equal(names, listed.Select(i => i.Name).Order().ToArray());
        foreach (var i in listed)
            Assert.Equal(Sys(i.Name, "ifindex"), i.Index.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
