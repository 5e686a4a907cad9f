using System.Net;
using NetbootPi.Agent.Media.Catalog;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tests.Site;

namespace NetbootPi.Agent.Tests.Media;

/// <summary>The catalog's names, the <c>media:</c> section, and which addresses a download may reach.</summary>
public class ImageNameTests
{
    [Theory]
    [InlineData("debian-12.5.0-amd64-netinst.iso")]
    [InlineData("FreeDOS_1.3+bios.img")]
    [InlineData("a")]
    public void Plain_file_names_are_image_names(string name) => Assert.Null(ImageName.Refusal(name));

    [Theory]
    [InlineData("", "an image needs a name")]
    [InlineData("../etc/passwd", "the image name '../etc/passwd' is a path (expected a file name alone, without / or \\)")]
    [InlineData("a/b", "is a path")]
    [InlineData("a\\b", "is a path")]
    [InlineData("..", "starts with a dot")]
    [InlineData(".partial", "the image name '.partial' starts with a dot (hidden files and . or .. are not images)")]
    [InlineData("x..iso", "has '..'")]
    [InlineData("_x", "starts with '_' (expected a letter or digit first)")]
    [InlineData("a b", "the image name 'a b' has ' ' (expected letters, digits and . _ - + only)")]
    [InlineData("a\nb", "has '\\x0a'")]
    [InlineData("é.iso", "starts with 'é'")]
    public void Anything_else_is_refused_with_the_name_and_the_rule(string name, string why) =>
        Assert.Contains(why, ImageName.Refusal(name));

    [Fact]
    public void Names_are_bounded_and_a_URL_gives_its_last_segment()
    {
        Assert.Null(ImageName.Refusal(new string('a', 128)));
        Assert.Contains("is 129 characters long (expected at most 128)", ImageName.Refusal(new string('a', 129)));
        Assert.Equal("netinst.iso", ImageName.FromUrl(new Uri("https://deb.example/x/netinst.iso?sig=1")));
        Assert.Null(ImageName.FromUrl(new Uri("https://deb.example/")));
        Assert.Null(ImageName.FromUrl(new Uri("https://deb.example/x/.hidden")));
    }

    [Fact]
    public void The_media_section_sets_the_limit_and_the_addresses_allowed_with_located_errors()
    {
        var site = SiteText.Load(SiteText.Minimal + "\nmedia: { max_size: 700M, fetch_allow: [127.0.0.1, 10.9.0.0/16, fd00::/64] }").Inventory!;
        Assert.Equal(700L << 20, site.Media.MaxImageBytes);
        Assert.True(site.Media.Allows(IPAddress.Parse("10.9.3.4")));
        Assert.True(site.Media.Allows(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.False(site.Media.Allows(IPAddress.Parse("127.0.0.2")));
        Assert.Equal(MediaSettings.DefaultMaxImageBytes, SiteText.Load(SiteText.Minimal).Inventory!.Media.MaxImageBytes);

        Assert.Equal(["t.yaml:17:20: media.max_size: '7 GB' is not a size (expected a whole number of bytes, or with K, M, G or T (powers of 1024), like 8G)"],
            SiteText.Errors(SiteText.Minimal + "\nmedia: { max_size: 7 GB }"));
        Assert.Equal(["t.yaml:17:24: media.fetch_allow[0]: '10.9.0.1/16' is not an address or prefix (expected an IPv4 or IPv6 address, or ADDRESS/LENGTH with no host bits set, like 127.0.0.1 or 10.9.0.0/16)"],
            SiteText.Errors(SiteText.Minimal + "\nmedia: { fetch_allow: [10.9.0.1/16] }"));
        Assert.Single(SiteText.Errors(SiteText.Minimal + "\nmedia: { max_sise: 1G }"), e => e.Contains("media.max_sise: unknown key (did you mean 'max_size'?)", StringComparison.Ordinal));
    }

    [Fact]
    public void Progress_shows_in_the_status_line_by_whole_percents_and_clears_at_the_end()
    {
        using var notifier = new NetbootPi.Agent.Os.Systemd.SystemdNotifier(null);
        var status = new NetbootPi.Agent.Os.Systemd.ServiceStatus(notifier);
        var jobs = new ImageJobs(status, TimeProvider.System);
        var job = jobs.Add("x.iso", "fetch", "http://m.example/x.iso", "uid:0", null);
        long shown = -1;
        job.Running(1000);
        job.Progress(425);
        jobs.ShowProgress(job, ref shown);
        Assert.Equal("downloading image x.iso: 42%", status.Text);
        var unknown = jobs.Add("y.img", "upload", "upload", "uid:0", null);
        unknown.Running(null);
        unknown.Progress(200L << 20);
        long other = -1;
        jobs.ShowProgress(unknown, ref other);
        Assert.Equal("receiving image y.img: 200 MiB", status.Text);
        jobs.ClearProgress();
        Assert.Equal("", status.Text);
    }

    [Fact]
    public void A_sanboot_profile_names_an_image_of_the_catalog()
    {
        var site = SiteText.Load(SiteText.Minimal.WithLine(11, "  p: { sanboot: debian-12.iso }")).Inventory!;
        Assert.Equal((ProfileKind.Sanboot, "debian-12.iso"), (site.FindProfile("p")!.Kind, site.FindProfile("p")!.Image));
        Assert.Equal(["t.yaml:11:17: profiles.p.sanboot: the image name '../x.iso' is a path (expected a file name alone, without / or \\) (an image of the catalog, served at /images/NAME: netbootpi media list)"],
            SiteText.Errors(SiteText.Minimal.WithLine(11, "  p: { sanboot: ../x.iso }")));
        Assert.Equal(["t.yaml:11:33: profiles.p.cmdline: a sanboot profile boots an image's own loader, so cmdline has no meaning (remove it)"],
            SiteText.Errors(SiteText.Minimal.WithLine(11, "  p: { sanboot: x.iso, cmdline: quiet }")));
    }

    [Theory]
    [InlineData("127.0.0.1", "a loopback address")]
    [InlineData("127.8.9.1", "a loopback address")]
    [InlineData("::1", "a loopback address")]
    [InlineData("::ffff:127.0.0.1", "a loopback address")]
    [InlineData("169.254.169.254", "a link-local address")]
    [InlineData("fe80::1", "a link-local address")]
    [InlineData("0.0.0.0", "an unspecified address (0.0.0.0/8)")]
    [InlineData("::", "the unspecified address")]
    [InlineData("224.0.0.251", "a multicast address")]
    [InlineData("ff02::1", "a multicast address")]
    [InlineData("255.255.255.255", "the broadcast address")]
    [InlineData("10.1.2.3", "one of the box's own addresses")]
    public void Downloads_may_not_reach_loopback_link_local_multicast_or_the_box(string address, string kind)
    {
        var guard = new FetchGuard(() => MediaSettings.Default, () => [IPAddress.Parse("10.1.2.3")]);
        var ip = IPAddress.Parse(address);
        Assert.Equal($"{(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip)} is {kind} (media.fetch_allow in the site file allows it)", guard.Refusal(ip));
    }

    [Fact]
    public void Other_addresses_and_those_the_site_allows_are_reachable()
    {
        var guard = new FetchGuard(() => MediaSettings.Default with { FetchAllow = [IPNetwork.Parse("127.0.0.2/32"), IPNetwork.Parse("10.1.2.3/32")] },
            () => [IPAddress.Parse("10.1.2.3")]);
        Assert.Null(guard.Refusal(IPAddress.Parse("192.168.1.10")));
        Assert.Null(guard.Refusal(IPAddress.Parse("2001:db8::1")));
        Assert.Null(guard.Refusal(IPAddress.Parse("127.0.0.2")));
        Assert.Null(guard.Refusal(IPAddress.Parse("10.1.2.3")));
        Assert.NotNull(guard.Refusal(IPAddress.Parse("127.0.0.1")));
    }
}
