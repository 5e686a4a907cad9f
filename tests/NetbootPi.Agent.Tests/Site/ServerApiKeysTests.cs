using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Tests.Site;

/// <summary>server.api_port, api_http_port, api_cert and api_key: the control API's place on the management network.</summary>
public class ServerApiKeysTests
{
    private static string With(string server) => SiteText.Minimal.WithLine(4, "  upstream_dns: [1.1.1.1]\nserver: " + server);

    [Fact]
    public void Defaults_are_443_and_8080_and_the_agents_own_certificate()
    {
        var s = SiteText.Load(SiteText.Minimal).Inventory!.Server;
        Assert.Equal((443, 8080, null, null), (s.ApiPort, s.ApiHttpPort, s.ApiCertificate, s.ApiKey));
        s = SiteText.Load(With("{ api_port: 8443, api_http_port: 8000, api_cert: /etc/netbootpi/api.pem, api_key: /etc/netbootpi/api.key }")).Inventory!.Server;
        Assert.Equal((8443, 8000, "/etc/netbootpi/api.pem", "/etc/netbootpi/api.key"), (s.ApiPort, s.ApiHttpPort, s.ApiCertificate, s.ApiKey));
    }

    [Fact]
    public void A_default_redirect_port_that_is_the_boot_http_port_gives_way_a_named_one_is_an_error()
    {
        Assert.Null(SiteText.Load(With("{ http_port: 8080 }")).Inventory!.Server.ApiHttpPort);
        Assert.Equal(["t.yaml:5:43: server.api_http_port: 8080 is server.http_port too (expected a port of its own: the boot HTTP server listens on 8080 on every address)"],
            SiteText.Errors(With("{ http_port: 8080, api_http_port: 8080 }")));
        Assert.Equal(["t.yaml:5:42: server.api_http_port: 9000 is server.api_port too (expected another port: it only redirects to HTTPS on api_port)"],
            SiteText.Errors(With("{ api_port: 9000, api_http_port: 9000 }")));
        Assert.Equal(["t.yaml:5:22: server.http_port: 443 is the control API's default port (server.api_port): give api_port another"],
            SiteText.Errors(With("{ http_port: 443 }")));
        Assert.Equal(["t.yaml:5:21: server.api_port: 70000 is outside 1..65535 (expected a TCP port from 1 to 65535 (the control API's HTTPS))"],
            SiteText.Errors(With("{ api_port: 70000 }")));
    }

    [Fact]
    public void A_certificate_without_its_key_is_an_error_at_the_one_given()
    {
        Assert.Equal(["t.yaml:5:21: server.api_cert: server.api_key is missing (expected both, a certificate and its private key as PEM files, or neither: the agent makes its own)"],
            SiteText.Errors(With("{ api_cert: /etc/netbootpi/api.pem }")));
        Assert.Equal(["t.yaml:5:20: server.api_key: 'api.key' is not an absolute path (expected a path starting with /)"],
            SiteText.Errors(With("{ api_key: api.key, api_cert: /a.pem }")));
    }

    [Fact]
    public void Totp_is_required_of_nobody_by_default_and_of_admins_or_all_when_asked()
    {
        Assert.Equal(TotpRequirement.None, SiteText.Load(SiteText.Minimal).Inventory!.Server.ApiRequireTotp);
        Assert.Equal(TotpRequirement.Admins, SiteText.Load(With("{ api_require_totp: admins }")).Inventory!.Server.ApiRequireTotp);
        Assert.Equal(TotpRequirement.All, SiteText.Load(With("{ api_require_totp: all }")).Inventory!.Server.ApiRequireTotp);
        Assert.Equal(["t.yaml:5:29: server.api_require_totp: 'admin' is not none, admins or all (did you mean 'admins'? whose logins over the network must give a TOTP code)"],
            SiteText.Errors(With("{ api_require_totp: admin }")));
    }

    [Fact]
    public void Metrics_need_a_token_unless_the_site_opens_them()
    {
        Assert.False(SiteText.Load(SiteText.Minimal).Inventory!.Server.MetricsOpen);
        Assert.False(SiteText.Load(With("{ metrics: token }")).Inventory!.Server.MetricsOpen);
        Assert.True(SiteText.Load(With("{ metrics: open }")).Inventory!.Server.MetricsOpen);
        Assert.Equal(["t.yaml:5:20: server.metrics: 'opne' is not token or open (did you mean 'open'? token: a scraper needs a viewer token; open: anyone who reaches the API may read /metrics)"],
            SiteText.Errors(With("{ metrics: opne }")));
    }
}
