using System.Text;
using NetbootPi.Protocols.Dhcp;
using NetbootPi.Protocols.Dhcp.Options;

namespace NetbootPi.Protocols.Tests.Dhcp;

/// <summary>
/// A client's name for itself read as dnsmasq reads it (util.c check_name/legal_hostname, dhcp-common.c
/// strip_hostname, rfc2131.c's option 81 and 12 handling), read from its source; not run against a dnsmasq here.
/// </summary>
public class ClientHostNameTests
{
    private static string? Option12(byte[] value, out string? domain)
    {
        var options = new DhcpOptionSet();
        options.Set(DhcpOptionCode.HostName, value);
        return ClientHostName.Read(options, out domain);
    }

    private static string? Option12(string value) => Option12(Encoding.Latin1.GetBytes(value), out _);

    [Theory]
    [InlineData("laptop", "laptop")]
    [InlineData("Laptop", "laptop")]                 // lower case (dnsmasq keeps the case; names compare without it)
    [InlineData("my-laptop_2", "my-laptop_2")]       // '-' and '_' after the first character
    [InlineData("3com", "3com")]                     // RFC 1123: a digit may lead
    [InlineData("laptop.", "laptop")]                // a trailing dot dropped
    [InlineData("laptop.example.org", "laptop")]     // the domain part dropped
    [InlineData("laptop.bad domain!", "laptop")]     // only the first label is held to host-name characters
    [InlineData("-laptop", null)]                    // '-' first
    [InlineData("_laptop", null)]                    // '_' first
    [InlineData("lap top", null)]                    // a space
    [InlineData("lap/top", null)]
    [InlineData("l\u00e4ptop", null)]                // not ASCII
    [InlineData("lap\u0007top", null)]               // a control character
    [InlineData(" ", null)]
    [InlineData(".", null)]                          // nothing left once the dot goes
    [InlineData(".example.org", null)]               // an empty first label
    public void Option_12_by_dnsmasqs_rules(string sent, string? expected) => Assert.Equal(expected, Option12(sent));

    [Fact]
    public void The_domain_part_is_returned_so_a_caller_can_tell_it_was_dropped()
    {
        Assert.Equal("laptop", Option12("Laptop.Example.ORG."u8.ToArray(), out var domain));
        Assert.Equal("example.org", domain);
        Assert.Equal("laptop", Option12("laptop"u8.ToArray(), out domain));
        Assert.Null(domain);
    }

    [Fact]
    public void Labels_over_63_bytes_make_the_whole_name_illegal_not_truncated()
    {
        Assert.Equal(new string('a', 63), Option12(new string('a', 63)));
        Assert.Null(Option12(new string('a', 64)));
        // dnsmasq checks every label before it drops the domain part.
        Assert.Null(Option12("laptop." + new string('b', 64) + ".org"));
        // And a name longer than its MAXDNAME (1025) is no name, however its labels are cut.
        Assert.Null(Option12(string.Join('.', Enumerable.Repeat(new string('c', 60), 18))));
    }

    [Fact]
    public void A_NUL_ends_the_name_as_in_a_C_string()
    {
        // Windows ends option 12 with a NUL; dnsmasq reads the option as a C string.
        Assert.Equal("desktop-1", Option12("DESKTOP-1\0"u8.ToArray(), out _));
        Assert.Equal("lap", Option12("lap\0top"u8.ToArray(), out _));
        Assert.Null(Option12("\0laptop"u8.ToArray(), out _));
    }

    private static string? Option81(params byte[] value)
    {
        var options = new DhcpOptionSet();
        options.Set(DhcpOptionCode.HostName, "from12"u8);
        options.Set(DhcpOptionCode.ClientFqdn, value);
        return ClientHostName.Read(options, out _);
    }

    [Fact]
    public void Option_81_outranks_option_12_in_wire_or_ascii_form()
    {
        // flags E|S (0x05), RCODE1, RCODE2, then "laptop" "example" "org" as DNS labels (RFC 4702 §2.3).
        Assert.Equal("laptop", Option81([0x05, 0, 0, 6, .. "laptop"u8, 7, .. "example"u8, 3, .. "org"u8, 0]));
        // The deprecated ASCII form (E clear), as old Windows clients send it.
        Assert.Equal("laptop", Option81([0x01, 0xFF, 0xFF, .. "LAPTOP.example.org"u8]));
        // A partial name (no root label) is a host name alone.
        Assert.Equal("laptop", Option81([0x04, 0, 0, 6, .. "laptop"u8]));
        // An illegal 81 leaves the client nameless: dnsmasq does not fall back to 12.
        Assert.Null(Option81([0x04, 0, 0, 7, .. "-laptop"u8, 0]));
        // A label length that runs past the option ends the name there.
        Assert.Equal("laptop", Option81([0x04, 0, 0, 6, .. "laptop"u8, 40, .. "ab"u8]));
        // Shorter than its three fixed bytes: not an option 81, so option 12 counts.
        Assert.Equal("from12", Option81([0x04, 0]));
    }

    [Fact]
    public void No_option_no_name()
    {
        Assert.Null(ClientHostName.Read(new DhcpOptionSet(), out var domain));
        Assert.Null(domain);
        Assert.Null(Option12([], out _));
    }
}
