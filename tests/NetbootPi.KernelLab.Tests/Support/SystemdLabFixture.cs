namespace NetbootPi.KernelLab.Tests.Support;

/// <summary>
/// One systemd-mode lab VM shared by every test class of <see cref="SystemdLabCollection"/>: systemd as PID 1
/// with the system bus and systemd-networkd, and a blank 256 MiB scratch disk (<c>/dev/disk/by-id/virtio-scratch</c>)
/// for tests that need a real block device (nfsd exports neither the overlay nor 9p).
/// </summary>
/// <remarks>
/// The VM boots on first use, so a run that needs none boots none, and never inside a VM (where this assembly
/// runs tests of its own). A VM whose job timed out is replaced by a new boot; a boot that failed is not tried
/// again: every later test fails with its reason. Tests leave the VM as they found it (namespaces, mounts, units).
/// </remarks>
public sealed class SystemdLabFixture : IAsyncDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Dictionary<string, Task<InsideRun>> _inside = [];
    private LabVm? _vm;
    private Exception? _bootFailure;
    private string? _folder;

    internal async Task<LabVm> VmAsync(CancellationToken cancellation)
    {
        if (LabHarness.IsInside) throw new InvalidOperationException("this test runs inside a lab VM: it cannot ask for a lab VM");
        LabHarness.Require();
        await _lock.WaitAsync(cancellation);
        try
        {
            if (_vm is { IsAlive: true }) return _vm;
            if (_bootFailure is not null) throw new Xunit.Sdk.XunitException($"the systemd lab VM did not boot: {_bootFailure.Message}");
            if (_vm is not null) await _vm.DisposeAsync();
            _vm = null;
            _folder ??= Directory.CreateTempSubdirectory("netbootpi-kernel-lab-disks-").FullName;
            string disk = Path.Combine(_folder, "scratch.img");
            await using (var file = File.Create(disk)) file.SetLength(256L << 20);
            try
            {
                _vm = await LabVm.BootAsync(new LabVmOptions { Systemd = true, Disks = [$"{disk},serial=scratch"] }, cancellation);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _bootFailure = e;
                throw;
            }
            return _vm;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Runs a bash script (<c>set -euo pipefail</c>) in the VM.</summary>
    internal async Task<LabResult> ShellAsync(string script, CancellationToken cancellation, TimeSpan? limit = null) =>
        await (await VmAsync(cancellation)).ShellAsync(script, cancellation, limit);

    /// <summary>
    /// On the host: runs the calling test inside the VM and passes, fails or skips as it did there. The test's
    /// class runs inside once (every test method of the class, so a class that uses this has only such tests);
    /// its other tests take their results from that run.
    /// </summary>
    /// <example><code>
    /// if (!LabHarness.IsInside) { await lab.RunInsideAsync(); return; }
    /// // from here on: inside the VM, as root, systemd as PID 1
    /// </code></example>
    internal async Task RunInsideAsync()
    {
        var context = TestContext.Current;
        string testClass = context.TestClass?.TestClassName ?? throw new InvalidOperationException("no test class");
        string method = context.TestMethod?.MethodName ?? throw new InvalidOperationException("no test method");
        Task<InsideRun> run;
        lock (_inside)
        {
            if (!_inside.TryGetValue(testClass, out run!))
                _inside[testClass] = run = StartInsideAsync(testClass, context.CancellationToken);
        }
        (await run).Report(method);
    }

    private async Task<InsideRun> StartInsideAsync(string testClass, CancellationToken cancellation) =>
        await InsideRun.StartAsync(await VmAsync(cancellation), testClass, cancellation);

    public async ValueTask DisposeAsync()
    {
        if (_vm is not null) await _vm.DisposeAsync();
        _vm = null;
        if (_folder is not null && Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        _folder = null;
        _lock.Dispose();
    }
}
