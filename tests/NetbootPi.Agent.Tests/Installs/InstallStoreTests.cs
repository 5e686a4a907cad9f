using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Installs;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tests.Render.Install;

namespace NetbootPi.Agent.Tests.Installs;

/// <summary>
/// The record of installs (<see cref="InstallStore"/>): tokens per host and per install, kept with the state across a
/// restart of the agent, completion once, a reinstall making the old token worthless, a damaged file costing no start.
/// </summary>
public sealed class InstallStoreTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 16, 0, 0, TimeSpan.Zero));
    private readonly InstallSite _site;
    private readonly SiteState _state;
    private readonly BootEventLog _events;

    public InstallStoreTests()
    {
        var dir = Directory.CreateTempSubdirectory("netbootpi-install-store-").FullName;
        _site = new InstallSite($"server: {{ state_dir: {dir} }}\n");
        StateDir = dir;
        _state = new SiteState(_site.SitePath, _site.Inventory());
        _events = new BootEventLog(dir, NullLogger<BootEventLog>.Instance);
    }

    private string StateDir { get; }

    private InstallStore New() => new(_state, _events, AtomicFiles.Local, _time, NullLogger<InstallStore>.Instance);

    [Fact]
    public void Tokens_name_one_host_and_one_install_and_survive_a_restart()
    {
        var store = New();
        var deb = _state.Current.FindHost("deb")!;
        var ubu = _state.Current.FindHost("ubu")!;
        var first = store.Token(deb.Mac, 1);
        Assert.Matches("^[0-9a-f]{32}$", first);
        Assert.NotEqual(first, store.Token(ubu.Mac, 1));
        Assert.NotEqual(first, store.Token(deb.Mac, 2));
        Assert.True(store.IsCurrent(deb, first));
        Assert.False(store.IsCurrent(ubu, first));
        Assert.False(store.IsCurrent(deb, first[..^1]));
        // The secret is the box's, kept: a new agent makes the same token.
        Assert.Equal(first, New().Token(deb.Mac, 1));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(StateDir, InstallStore.SecretName)));
    }

    [Fact]
    public void Completion_counts_once_switches_the_host_to_then_and_a_reinstall_starts_over()
    {
        var store = New();
        var deb = _state.Current.FindHost("deb")!;
        var binding = _state.Current.Resolve(deb.Mac);
        Assert.Null(store.Installed(binding));
        store.Fetched(deb, "preseed.cfg", "10.0.0.11");
        store.Fetched(deb, "preseed.cfg", "10.0.0.11");
        Assert.True(store.Complete(deb, "10.0.0.11", "disk"));
        Assert.False(store.Complete(deb, "10.0.0.11", "disk"));
        Assert.Equal("disk", store.Installed(binding)?.Name);

        var again = New();
        Assert.Equal(new InstallRecord("deb", 1, _time.GetUtcNow(), _time.GetUtcNow(), "10.0.0.11"), again.Of("deb"));
        var old = again.Token(deb.Mac, 1);
        Assert.Equal(2, again.Reinstall(deb, "uid:0").Generation);
        Assert.False(again.IsCurrent(deb, old));
        Assert.Null(again.Installed(binding));
        Assert.Equal(2, New().Of("deb").Generation);

        Assert.Equal([
                "install install: preseed.cfg fetched from 10.0.0.11, the installer runs",
                "install install: completed (reported from 10.0.0.11); boots profile disk from now on",
                "uid:0 install: reinstall asked, install 2 at the next boot",
            ],
            _events.Recent("deb").Where(e => e.Kind == BootEventKind.Install).Select(e => $"{e.Client} {e.Path}"));
    }

    [Fact]
    public void A_damaged_file_makes_hosts_install_again_not_the_agent_fail()
    {
        File.WriteAllText(Path.Combine(StateDir, InstallStore.FileName), "{\"hosts\": [ {\"host\": ");
        var store = New();
        Assert.Equal(new InstallRecord("deb", 1, null, null, null), store.Of("deb"));
        Assert.True(store.Complete(_state.Current.FindHost("deb")!, "10.0.0.11", "disk"));
        Assert.True(New().Of("deb").IsComplete);
    }

    public void Dispose()
    {
        _events.Dispose();
        _site.Dispose();
        Directory.Delete(StateDir, recursive: true);
    }
}
