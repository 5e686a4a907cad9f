using NetbootPi.Agent.Apply;
using NetbootPi.Agent.Apply.Nfs;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Os.Tools;
using NetbootPi.Agent.Site;
using NetbootPi.Agent.Tests.Render.Nfs;
using NetbootPi.Agent.Tests.Site;

namespace NetbootPi.Agent.Tests.Apply.Nfs;

/// <summary>
/// <see cref="NfsApplier"/>'s plans and its file handling, with the exports file in a temp folder and no systemd
/// (this machine's kernel has no nfsd: exportfs itself runs against real nfsd in the kernel lab, NfsExportsLabTests).
/// The tool is a real program: <c>true</c> where exportfs succeeds, <c>false</c> where it fails.
/// </summary>
public sealed class NfsApplierTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly string _dir = Directory.CreateTempSubdirectory("netbootpi-nfs-apply-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File_ => Path.Combine(_dir, "exports.d", "netbootpi.exports");

    private string Conf => Path.Combine(_dir, "nfs.conf.d", "netbootpi.conf");

    private NfsApplier Applier(string exportfs = "true") =>
        new(new NfsApplierOptions { ExportsFile = File_, PortsFile = Conf, Exportfs = exportfs }, AtomicFiles.Local, new ToolRunner(TimeProvider.System), systemd: null);

    private static SiteInventory Load(string text)
    {
        var r = SiteText.Load(text);
        Assert.Empty(r.Errors);
        return r.Inventory!;
    }

    [Fact]
    public async Task Writes_the_file_runs_exportfs_and_then_has_nothing_to_do()
    {
        var wanted = NfsWanted.From(Load(NfsSites.Fleet));
        var applier = Applier();
        var plan = await applier.PlanAsync(wanted, Ct);
        Assert.Equal([new FileChange(File_, null, wanted.Exports), new FileChange(Conf, null, wanted.PortsConfig)], plan.Files);
        Assert.Equal(["run true -ra"], plan.Steps.Select(s => s.ToString()));
        Assert.StartsWith($"--- /dev/null\n+++ {File_}\n", plan.Render());
        Assert.EndsWith("# then: run true -ra\n", plan.Render());

        await applier.ExecuteAsync(plan, Ct);
        Assert.Equal(wanted.Exports, await File.ReadAllTextAsync(File_, Ct));
        // mountd on the port the firewall opens, as nfs.conf(5) reads it.
        Assert.Contains("\n[mountd]\nport=20048\n", await File.ReadAllTextAsync(Conf, Ct));
        Assert.Equal("0644", Convert.ToString((int)File.GetUnixFileMode(File_), 8).PadLeft(4, '0'));
        // No temporary file is left beside it (exportfs would read any *.exports).
        Assert.Equal(["netbootpi.exports"], Directory.GetFiles(Path.GetDirectoryName(File_)!).Select(Path.GetFileName));

        var again = await applier.PlanAsync(wanted, Ct);
        Assert.True(again.IsEmpty);
        Assert.Equal([$"nfs: {File_} and {Conf} are as the site wants them"], again.Notes);
    }

    [Fact]
    public async Task A_site_without_exports_removes_our_file_and_leaves_a_box_without_one_alone()
    {
        var applier = Applier();
        Assert.True((await applier.PlanAsync(NfsWanted.From(Load(SiteText.Example)), Ct)).IsEmpty);
        Assert.False(File.Exists(File_));

        await applier.ExecuteAsync(await applier.PlanAsync(NfsWanted.From(Load(NfsSites.Fleet)), Ct), Ct);
        var plan = await applier.PlanAsync(NfsWanted.From(Load(SiteText.Example)), Ct);
        Assert.Equal([File_, Conf], plan.Files.Select(f => f.Path));
        Assert.All(plan.Files, f => Assert.True(f.IsRemoval));
        Assert.Equal(["run true -ra"], plan.Steps.Select(s => s.ToString()));
        await applier.ExecuteAsync(plan, Ct);
        Assert.False(File.Exists(File_));
        Assert.False(File.Exists(Conf));
    }

    [Fact]
    public async Task When_exportfs_fails_the_old_file_is_back_and_the_error_names_the_call()
    {
        var applier = Applier();
        var fleet = NfsWanted.From(Load(NfsSites.Fleet));
        await applier.ExecuteAsync(await applier.PlanAsync(fleet, Ct), Ct);

        var failing = Applier("false");
        var changed = NfsWanted.From(Load(NfsSites.Fleet.Replace("ip: 10.69.1.1,", "ip: 10.69.1.77,", StringComparison.Ordinal)));
        var plan = await failing.PlanAsync(changed, Ct);
        var e = await Assert.ThrowsAsync<ApplyException>(() => failing.ExecuteAsync(plan, Ct));
        Assert.Equal("run false -ra failed: false -ra exited with 1", e.Message);
        Assert.Equal(fleet.Exports, await File.ReadAllTextAsync(File_, Ct));
    }
}
