namespace NetbootPi.Agent.Tests.Site;

/// <summary><c>kvm:</c>: the console host the box's USB-C port is plugged into, each rule's located message. The section is line 17, after <see cref="SiteText.Minimal"/>.</summary>
public class KvmSectionTests
{
    private static string With(string kvm) => SiteText.Minimal + "\nkvm: " + kvm + "\n";

    [Fact]
    public void A_host_of_the_site_with_the_only_UDC_and_the_US_layout_by_default()
    {
        var kvm = SiteText.Load(With("{ host: a }")).Inventory!.Kvm!;
        Assert.Equal(("a", (string?)null, "us"), (kvm.Host, kvm.Udc, kvm.Layout));
        var named = SiteText.Load(With("{ host: b, udc: fe980000.usb, keyboard_layout: us }")).Inventory!.Kvm!;
        Assert.Equal(("b", "fe980000.usb"), (named.Host, named.Udc));
        Assert.Equal("ch-fr", SiteText.Load(With("{ host: a, keyboard_layout: CH-FR }")).Inventory!.Kvm!.Layout);
        Assert.Null(SiteText.Load(SiteText.Minimal).Inventory!.Kvm);
    }

    [Fact]
    public void Wrong_values_are_located()
    {
        Assert.Equal(["t.yaml:17:14: kvm.host: no host named 'c' in hosts (expected the host the box's USB-C port is plugged into)"],
            SiteText.Errors(With("{ host: c }")));
        Assert.Equal(["t.yaml:17:6: kvm: missing key 'host' (expected a mapping with host (the host the box's USB-C port is plugged into), udc, keyboard_layout and capture)"],
            SiteText.Errors(With("{ udc: fe980000.usb }")));
        Assert.Equal(["t.yaml:17:22: kvm.udc: '../x' is not a USB device controller's name (expected a name from /sys/class/udc, like fe980000.usb)"],
            SiteText.Errors(With("{ host: a, udc: ../x }")));
        Assert.Equal(["t.yaml:17:34: kvm.keyboard_layout: no table for keyboard layout 'uk' (did you mean 'gb'?); there is: us, us-intl, us-dvorak, gb, de, ch, ch-fr, fr, be, es, latam, pt, it, se, no, dk, fi, pl, cz, hu (docs/console.md#layouts)"],
            SiteText.Errors(With("{ host: a, keyboard_layout: uk }")));
        Assert.StartsWith("t.yaml:17:34: kvm.keyboard_layout: no table for keyboard layout 'ch_fr' (did you mean 'ch-fr'?); there is: us,",
            Assert.Single(SiteText.Errors(With("{ host: a, keyboard_layout: ch_fr }"))));
        Assert.Equal(["t.yaml:17:17: kvm.hots: unknown key (did you mean 'host'?)"],
            SiteText.Errors(With("{ host: a, hots: b }")));
    }
}
