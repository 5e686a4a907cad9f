using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Tests.Site;

/// <summary>
/// <c>alerts.webhooks</c>: the URL, the secret file (beside the site, mode 0600, never quoted) and the kinds, each
/// error located with the exact message a user sees. The section starts at line 18 of the text.
/// </summary>
public sealed class AlertsSectionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-alerts-site-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Secret(string name, string text, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    private SiteLoadResult Load(string webhook) =>
        SiteFile.Parse(Path.Combine(_dir, "site.yaml"), SiteText.Minimal + $"\nalerts:\n  webhooks:\n    - {webhook}\n");

    private string[] Errors(string webhook) => Load(webhook).Errors.Select(e => e.ToString()).ToArray();

    private string At(int column) => $"{Path.Combine(_dir, "site.yaml")}:19:{column}";

    [Fact]
    public void A_webhook_with_its_secret_beside_the_site_and_every_kind_by_default()
    {
        Secret("hook.secret", "0123456789abcdef0123456789abcdef\n");
        var result = Load("{ url: 'https://ops.example.com/hooks/T0K3N?x=1', secret_file: hook.secret }");
        Assert.Empty(result.Errors);
        var hook = Assert.Single(result.Inventory!.Webhooks);
        Assert.Equal("https://ops.example.com/hooks/T0K3N?x=1", hook.Url.ToString());
        Assert.Equal(Path.Combine(_dir, "hook.secret"), hook.SecretFile);
        Assert.Equal([AlertKind.HostFailed, AlertKind.SiteRejected, AlertKind.RogueDhcp, AlertKind.BackupFailed, AlertKind.BackupOverdue], hook.Kinds);
        // Logs and replies name it without the path, which may hold a token.
        Assert.Equal("webhooks[0] (https://ops.example.com)", hook.Display);
        Assert.True(hook.Wants(AlertKind.Test));

        var some = Load("{ url: http://10.0.0.5:8080/a, secret_file: hook.secret, kinds: [host-failed] }").Inventory!.Webhooks[0];
        Assert.Equal([AlertKind.HostFailed], some.Kinds);
        Assert.False(some.Wants(AlertKind.SiteRejected));
        Assert.True(some.Wants(AlertKind.Test));
    }

    [Fact]
    public void Only_http_and_https_URLs_without_credentials()
    {
        Secret("s", "0123456789abcdef");
        Assert.Equal([$"{At(14)}: alerts.webhooks[0].url: 'ftp://x/y' is not an http:// or https:// URL (expected the receiver's full URL, like https://ops.example.com/hooks/netbootpi)"],
            Errors("{ url: ftp://x/y, secret_file: s }"));
        Assert.Equal([$"{At(14)}: alerts.webhooks[0].url: the URL holds a user name or password (expected none: the receiver checks the signature made with secret_file)"],
            Errors("{ url: 'https://u:p@x/y', secret_file: s }"));
        Assert.Equal([$"{At(7)}: alerts.webhooks[0]: missing key 'secret_file' (expected a webhook: {{ url: https://..., secret_file: FILE, kinds: [...] }})"],
            Errors("{ url: https://x/y }"));
    }

    [Fact]
    public void The_secret_file_must_be_there_for_its_owner_alone_and_long_enough_and_is_never_quoted()
    {
        var file = Path.Combine(_dir, "s");
        Assert.Equal([$"{At(40)}: alerts.webhooks[0].secret_file: {file}: no such file (expected the webhook's signing secret there, mode 0600: head -c 32 /dev/urandom | base64 > {file}; chmod 600 {file})"],
            Errors("{ url: https://x/y, secret_file: s }"));
        Secret("s", "0123456789abcdef-but-readable", (UnixFileMode)0b110_100_100);
        Assert.Equal([$"{At(40)}: alerts.webhooks[0].secret_file: {file}: mode 644 lets others read or change the signing secret (expected 0600: chmod 600 {file})"],
            Errors("{ url: https://x/y, secret_file: s }"));
        Secret("s", "short-secret\n", UnixFileMode.UserRead);
        var short_ = Errors("{ url: https://x/y, secret_file: s }");
        Assert.Equal([$"{At(40)}: alerts.webhooks[0].secret_file: {file}: the secret is 12 bytes (expected at least 16: head -c 32 /dev/urandom | base64 > {file})"], short_);
        Assert.DoesNotContain("short-secret", short_[0], StringComparison.Ordinal);
        Secret("s", "0123456789abcdef\nsecond-line-0123456789\n", UnixFileMode.UserRead);
        Assert.Equal([$"{At(40)}: alerts.webhooks[0].secret_file: {file}: more than one line (expected the secret alone, on one line)"],
            Errors("{ url: https://x/y, secret_file: s }"));
    }

    [Fact]
    public void Kinds_are_known_once_each_and_not_empty()
    {
        Secret("s", "0123456789abcdef");
        Assert.Equal([$"{At(51)}: alerts.webhooks[0].kinds[0]: unknown alert kind 'host-faild' (did you mean 'host-failed'? expected one of: host-failed, site-rejected, rogue-dhcp, backup-failed, backup-overdue; test alerts go to every webhook)"],
            Errors("{ url: https://x/y, secret_file: s, kinds: [host-faild] }"));
        Assert.Equal([$"{At(63)}: alerts.webhooks[0].kinds[1]: 'rogue-dhcp' is listed twice (expected each kind once)"],
            Errors("{ url: https://x/y, secret_file: s, kinds: [rogue-dhcp, rogue-dhcp] }"));
        Assert.Equal([$"{At(50)}: alerts.webhooks[0].kinds: an empty list would send this webhook nothing (expected some of: host-failed, site-rejected, rogue-dhcp, backup-failed, backup-overdue, or no kinds: for all)"],
            Errors("{ url: https://x/y, secret_file: s, kinds: [] }"));
        Assert.Equal([$"{At(43)}: alerts.webhooks[0].kind: unknown key (did you mean 'kinds'?)"],
            Errors("{ url: https://x/y, secret_file: s, kind: [] }"));
    }
}
