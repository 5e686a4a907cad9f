using NetbootPi.Agent.Render.Boot;
using NetbootPi.Agent.Render.Install;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tests.Support;
using NetbootPi.Protocols.Net;
using NetbootPi.Tests.Shared;

namespace NetbootPi.Agent.Tests.Render.Install;

/// <summary>
/// Every install kind's files rendered for a host of <see cref="InstallSite"/>, byte for byte against Golden/install/,
/// and read by the installers' own tools where Debian has them: cloud-init's schema check (nocloud user-data and
/// autoinstall), debconf-set-selections (preseed), ignition-validate (Ignition spec 3.3). Kickstart has golden files
/// only: ksvalidator (pykickstart) is not packaged in Debian.
/// </summary>
public sealed class InstallFilesTests : IDisposable
{
    private const string Box = "http://10.0.0.1";
    private const string Token = "0123456789abcdef0123456789abcdef";
    private readonly InstallSite _site = new();

    public static TheoryData<string, string> Files => new()
    {
        { "deb", "preseed.cfg" },
        { "ubu", "user-data" }, { "ubu", "meta-data" }, { "ubu", "vendor-data" },
        { "flat", "config.ign" }, { "flat", "installed.ign" },
        { "fed", "ks.cfg" },
        { "nfs", "user-data" }, { "nfs", "meta-data" },
    };

    private string Render(SiteInventory site, string host, string file)
    {
        var binding = site.Resolve(site.FindHost(host)!.Mac);
        var urls = new InstallFiles.Urls(Box, BootUrls.Install(Box, binding.Mac, Token), 1);
        return InstallFiles.Render(site, binding, urls, file) ?? throw new InvalidOperationException($"{host} has no {file}");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Each_file_is_rendered_from_the_site(string host, string file) =>
        Golden.Verify($"install/{host}-{file}", Render(_site.Inventory(), host, file));

    [Theory]
    [InlineData("deb")]
    [InlineData("ubu")]
    [InlineData("flat")]
    [InlineData("fed")]
    [InlineData("nfs")]
    public void The_kernel_is_pointed_at_the_hosts_own_file_and_an_installed_host_boots_its_disk(string host)
    {
        var site = _site.Inventory();
        var binding = site.Resolve(site.FindHost(host)!.Mac);
        var request = new BootRequest(Box, "10.0.0.1");
        Golden.Verify($"install/{host}.ipxe", IpxeScript.Render(site, binding, request, installFolder: BootUrls.Install(Box, binding.Mac, Token)));
        var installed = IpxeScript.Render(site, binding, request, installed: site.FindProfile("disk"), installFolder: BootUrls.Install(Box, binding.Mac, Token));
        Assert.Contains($"# installed: profile disk until 'netbootpi reinstall {host}'\n", installed, StringComparison.Ordinal);
        Assert.Contains("\nexit\n", installed, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, installed, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_the_kind_does_not_have_is_none()
    {
        var site = _site.Inventory();
        var binding = site.Resolve(site.FindHost("deb")!.Mac);
        Assert.Null(InstallFiles.Render(site, binding, new InstallFiles.Urls(Box, Box + "/install/x/", 1), "user-data"));
        Assert.Null(InstallFiles.Render(site, site.Resolve(MacAddress.Parse("02:00:00:00:00:99")), new InstallFiles.Urls(Box, Box + "/install/x/", 1), "preseed.cfg"));
    }

    [Theory]
    [InlineData("ubu")]
    [InlineData("nfs")]
    public async Task Cloud_init_reads_the_user_data_by_its_schema(string host)
    {
        var tool = Peers.Require("cloud-init", "cloud-init");
        var path = Write(host, "user-data");
        var (code, stdout, stderr) = await Tool.RunAsync(tool, ["schema", "--config-file", path], TestContext.Current.CancellationToken);
        Assert.True(code == 0, $"cloud-init schema: {stdout}{stderr}");
        Assert.Contains("Valid cloud-config", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Debconf_reads_the_preseed()
    {
        var tool = Peers.Require("debconf-set-selections", "debconf");
        var path = Write("deb", "preseed.cfg");
        var (code, stdout, stderr) = await Tool.RunAsync(tool, ["--checkonly", path], TestContext.Current.CancellationToken);
        Assert.True(code == 0 && stderr.Length == 0, $"debconf-set-selections: {stdout}{stderr}");
        // And it would refuse a line that is not an answer: the check can fail.
        File.AppendAllText(path, "d-i broken\n");
        (code, _, stderr) = await Tool.RunAsync(tool, ["--checkonly", path], TestContext.Current.CancellationToken);
        Assert.True(code != 0 || stderr.Length > 0, "debconf-set-selections took a broken line");
    }

    [Theory]
    [InlineData("config.ign")]
    [InlineData("installed.ign")]
    public async Task Ignition_validates_both_configs(string file)
    {
        var tool = Peers.Require("ignition-validate", "ignition");
        var path = Write("flat", file);
        var (code, stdout, stderr) = await Tool.RunAsync(tool, [path], TestContext.Current.CancellationToken);
        Assert.True(code == 0, $"ignition-validate: {stdout}{stderr}");
    }

    private string Write(string host, string file)
    {
        var path = Path.Combine(_site.Dir, $"{host}-{file}");
        File.WriteAllText(path, Render(_site.Inventory(), host, file));
        return path;
    }

    public void Dispose() => _site.Dispose();
}
