using System.Text;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Tests.Site;

/// <summary>What a new user met in the first hour with the site file (issue #32), each with the message they now get.</summary>
public class FirstHourTests
{
    private static readonly string M = SiteText.Minimal;

    private static void AssertErrors(string text, params string[] expected) =>
        Assert.Equal(expected, SiteText.Errors(text));

    private static string[] ErrorsOf(byte[] bytes) => SiteFile.Parse("t.yaml", bytes).Errors.Select(e => e.ToString()).ToArray();

    [Theory]
    [InlineData("10.50.0.1/31", "10.50.0.0-10.50.0.1")]
    [InlineData("10.50.0.1/32", "10.50.0.1-10.50.0.1")]
    public void A_pool_on_a_network_without_room_says_so(string address, string range) => AssertErrors(
        M.WithLine(8, $"    address: {address}").WithLine(9, $"    dhcp: {{ mode: authoritative, range: {range} }}"),
        $"t.yaml:9:41: networks.lan.dhcp.range: a /{address.Split('/')[1]} network has no room for a pool (expected a prefix length of 30 or less on a network with a DHCP range)");

    [Fact]
    public void A_duration_too_long_for_dhcp_says_so_and_the_maximum() => AssertErrors(
        M.WithLine(9, "    dhcp: { mode: authoritative, lease: 99999999d }"),
        "t.yaml:9:41: networks.lan.dhcp.lease: '99999999d' is longer than DHCP can carry (expected at most 49710d, about 136 years)");

    [Theory]
    [InlineData("ff:ff:ff:ff:ff:ff", "the broadcast address")]
    [InlineData("01:00:5e:00:00:01", "a multicast address (the lowest bit of its first byte is set)")]
    [InlineData("00:00:00:00:00:00", "all zeros")]
    public void Macs_no_card_has_are_refused(string mac, string why) => AssertErrors(
        M.WithLine(15, $"  a: {{ mac: {mac}, ip: 10.0.0.10 }}"),
        $"t.yaml:15:13: hosts.a.mac: '{mac}' is {why}, not the address of a network card (expected the host's own MAC)");

    [Fact]
    public void A_host_is_defined_where_its_name_is()
    {
        var site = SiteText.Load(M.Replace("  a: { mac: 00:00:00:00:00:01, ip: 10.0.0.10 }", "  a:\n    mac: 00:00:00:00:00:01\n    ip: 10.0.0.10")).Inventory!;
        Assert.Equal(new SourceLocation("t.yaml", 15, 3), site.FindHost("a")!.Location);
    }

    [Fact]
    public void An_unknown_menu_entry_is_never_offered_the_menu_itself() => AssertErrors(
        M.WithLine(11, "  p: { local: true }\n  m: { menu: [mm] }"),
        "t.yaml:12:15: profiles.m.menu[0]: unknown profile 'mm' (defined: p, k)");

    [Fact]
    public void A_key_under_the_wrong_label_is_named_for_what_it_is()
    {
        // An ed25519 key's data with the ssh-rsa label in front of it.
        const string ed25519 = "AAAAC3NzaC1lZDI1NTE5AAAAIGb0TxqnhyYtBTmDLiZC7qHAp+vsGPL2Y5A7eW0zJyZn";
        AssertErrors(M.WithLine(4, $"  ssh_keys: [\"ssh-rsa {ed25519} me@x\"]"),
            "t.yaml:4:14: site.ssh_keys[0]: not an SSH public key: the line says ssh-rsa but the key data is a ssh-ed25519 key (expected one line of an authorized_keys file, like 'ssh-ed25519 AAAAC3Nza... admin@example')");
    }

    [Theory]
    [InlineData("\"true\"")]
    [InlineData("'true'")]
    [InlineData("True")]
    public void Quotes_never_change_what_a_value_means(string value)
    {
        Assert.True(SiteText.Load(M.WithLine(11, $"  p: {{ local: {value} }}")).IsValid);
        Assert.True(SiteText.Load(M.WithLine(5, "server: { http_port: \"8080\" }\nnetworks:")).IsValid);
    }

    [Fact]
    public void Yaml_syntax_errors_are_sentences_at_the_offending_place()
    {
        AssertErrors("site:\n  name: t\n\tdomain: x\n", "t.yaml:3:1: site: not valid YAML: a tab in the indentation (YAML indents with spaces only)");
        AssertErrors("site:\n  name: \"t\nnetworks: {}\n", "t.yaml:2:9: site: not valid YAML: a quoted value runs on into the next lines (is its closing quote missing?)");
        AssertErrors("site: @x\n", "t.yaml:1:7: (document): not valid YAML: '@' cannot start a value (put the value in quotes)");
        Assert.All(SiteText.Errors("a: [1, 2\nb: 3\n"), e => Assert.DoesNotContain("While ", e));
    }

    [Fact]
    public void Text_that_is_not_utf8_is_located_not_turned_into_replacement_characters() => Assert.Equal(
        ["t.yaml:2:10: (file): byte 0xE9 is not UTF-8 text (expected UTF-8: is this a Latin-1 file, or not a site file at all?)"],
        ErrorsOf([.. Encoding.Latin1.GetBytes("site:\n  name: l\u00e9b\nnetworks: {}\n")]));

    [Fact]
    public void Control_characters_and_direction_overrides_reach_the_terminal_as_escapes()
    {
        var errors = SiteText.Errors(M.WithLine(4, "  col\u001b[31mour\u202e: x"));
        Assert.Equal(["t.yaml:4:3: site.col\\x1B[31mour\\u{202E}: unknown key (expected one of: name, domain, upstream_dns, ssh_keys)"], errors);
    }

    [Fact]
    public void Hostile_shapes_get_located_errors()
    {
        foreach (var (what, bytes, expect) in SiteShapes.Hostile())
        {
            var errors = ErrorsOf(bytes);
            Assert.True(errors.Length > 0, $"{what}: no error");
            Assert.True(errors.Any(e => e.Contains(expect, StringComparison.Ordinal)), $"{what}: no error says '{expect}':\n{string.Join('\n', errors.Select(e => e.Length > 300 ? e[..300] + "..." : e))}");
            Assert.All(errors, e => Assert.Matches(@"^t\.yaml:\d+:\d+: ", e));
        }
    }
}
