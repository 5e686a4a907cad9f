using NetbootPi.Agent.Render.Network;
using NetbootPi.Agent.Tests.Support;
using NetbootPi.Tests.Shared;

namespace NetbootPi.Agent.Tests.Render.Network;

/// <summary>Our systemd name escaping against the real <c>systemd-escape</c>, over awkward names.</summary>
public class SystemdEscapeTests
{
    public static TheoryData<string> Awkward() =>
    [
        "netbootpi-eth0", "netbootpi-eth0.69", "netbootpi-wan_0@usb", "eth0", ".hidden", "..", "a.b.", "-lead", "trail-",
        "a/b", "/abs/path/", "a//b", "back\\slash", "\\x2d", "sp ace", "tab\there", "colon:ok", "under_score", "per%cent",
        "quote'\"", "star*?[x]", "new\nline", "é", "naïve-café", "日本", "emoji😀", "~tilde", "plus+eq=",
    ];

    [Theory]
    [MemberData(nameof(Awkward))]
    public async Task Escape_agrees_with_systemd_escape(string name)
    {
        var tool = Peers.Require("systemd-escape", "systemd");
        var (code, stdout, stderr) = await Tool.RunAsync(tool, ["--", name], TestContext.Current.CancellationToken);
        Assert.True(code == 0, $"systemd-escape failed ({code}): {stderr}");
        Assert.Equal(stdout.TrimEnd('\n'), SystemdEscape.Escape(name));
    }

    [Theory]
    [MemberData(nameof(Awkward))]
    public async Task Instance_agrees_with_systemd_escape_template_as_netctl_calls_it(string name)
    {
        var tool = Peers.Require("systemd-escape", "systemd");
        var (code, stdout, stderr) = await Tool.RunAsync(tool, ["--template=netctl@.service", "--", name], TestContext.Current.CancellationToken);
        Assert.True(code == 0, $"systemd-escape failed ({code}): {stderr}");
        Assert.Equal(stdout.TrimEnd('\n'), SystemdEscape.Instance("netctl@.service", name));
    }

    [Fact]
    public void Known_values() => Assert.Equal(
        ["netbootpi\\x2deth0.69", "\\x2ehidden", "a-b", "\\x5cx2d", "\\xc3\\xa9"],
        new[] { "netbootpi-eth0.69", ".hidden", "a/b", "\\x2d", "é" }.Select(SystemdEscape.Escape));

    [Fact]
    public void A_template_needs_an_at_sign_before_its_suffix() =>
        Assert.Throws<ArgumentException>(() => SystemdEscape.Instance("netctl.service", "x"));
}
