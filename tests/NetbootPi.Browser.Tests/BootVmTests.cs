using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Browser.Tests;

/// <summary>
/// A real machine booting, seen from its host page: a qemu VM (SeaBIOS and the NIC's iPXE under TCG, tests/e2e's
/// kernel and initramfs) wired to the agent by QMP, started stopped, and the agent serving its DHCP, iPXE script,
/// kernel and initrd, both in a network namespace of the test's own. Chromium runs in a second one (Playwright starts
/// it through <c>ip netns exec</c>), joined to the first by a veth that is the site's management network: nothing of
/// the test is on this machine's own network, and chromium sees no change of the VM's links (it aborts its requests
/// with ERR_NETWORK_CHANGED when its namespace's links or addresses change). An operator powers the VM on with the page's button, watches the boot's steps join
/// the flight recorder as they happen, and powers it off with the page's Off (the ACPI button, which the initramfs
/// honours in <c>e2e_mode=serve</c>).
/// </summary>
public sealed class BootVmTests
{
    private const string Mac = "52:54:00:96:00:10";
    private const string Api = "https://10.95.0.1";
    // A whole boot under TCG takes 8-15 s on this machine, more while other tests run beside it: a bound, not a wait.
    private static readonly LocatorAssertionsToContainTextOptions Boot = new() { Timeout = 90_000 };
    private static readonly Regex Ok200 = new("^ok 200$");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_operator_powers_a_vm_on_from_its_page_watches_it_boot_live_and_powers_it_off()
    {
        var qemu = Peers.Require("qemu-system-x86_64", "qemu-system-x86");
        Peers.Require("busybox", "busybox-static");
        if (!File.Exists(ConsoleBox.Chromium)) Peers.SkipOrFail($"{ConsoleBox.Chromium} is not installed (Debian package chromium; tools/deps.sh installs it)");
        using var lab = new NetLab();
        var cache = await E2eArtifactsAsync();
        var ns = lab.Namespace("vm");
        lab.Bridge(ns, "br0", "10.96.0.1/24");
        // The browser's namespace: its loopback and the veth, set before chromium starts and not changed after
        // (no IPv6, whose link-local address would come a second later).
        var web = lab.Namespace("web");
        lab.Link(ns, "web0", "10.95.0.1/24", web, "eth0", "10.95.0.2/24");
        var (code, _, error) = await lab.RunAsync(web, "sysctl", ["-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"], Ct);
        Assert.True(code == 0, $"sysctl in {web}: {error}");
        var data = Directory.CreateDirectory(lab.Path("data/e2e")).FullName;
        File.Copy(Path.Combine(cache, "kernel", "vmlinuz"), Path.Combine(data, "vmlinuz"));
        File.Copy(Path.Combine(cache, "kernel", "initrd.img"), Path.Combine(data, "initrd.img"));
        var kernelBytes = new FileInfo(Path.Combine(data, "vmlinuz")).Length;
        var site = lab.Path("site.yaml");
        // The management network is the veth to the browser's namespace: the API answers there, and nowhere else.
        await File.WriteAllTextAsync(site, $$"""
            site: { name: vmboot, domain: vmboot.internal }
            server: { state_dir: {{lab.Path("state")}}, data_dir: {{lab.Path("data")}} }
            networks:
              mgmt: { interface: web0, address: 10.95.0.1/24, role: management }
              lab: { interface: br0, address: 10.96.0.1/24, dhcp: { mode: authoritative, range: 10.96.0.100-10.96.0.150, lease: 1h } }
            profiles:
              serve:
                kernel: e2e/vmlinuz
                initrd: e2e/initrd.img
                cmdline: console=ttyS0 quiet panic=-1 e2e_mode=serve
            defaults: { profile: none }
            hosts:
              vm: { mac: {{Mac}}, ip: 10.96.0.10, profile: serve, power: { driver: qmp, socket: vm.qmp } }
            """, Ct);
        var socket = lab.Path("control.sock");
        using var agent = AgentProcess.Start(new Dictionary<string, string> { [ControlSocketPath.EnvironmentVariable] = socket },
            [lab.Ip, "netns", "exec", ns], "run", "--config", site, "--no-tftp", "--no-dns", "--network-api", "--control-group", "nogroup");
        agent.WaitFor(" ready: ");
        await AddOperatorAsync(socket);

        lab.Tap(ns, "tap0", "br0");
        var serial = lab.Path("vm.serial");
        // Started stopped (-S, QMP's prelaunch): the page's On starts it. Its powering off ends qemu.
        var vm = lab.Start(ns, qemu, "-machine", "q35,accel=tcg", "-cpu", "max", "-m", "256", "-smp", "1", "-display", "none",
            "-serial", $"file:{serial}", "-monitor", "none", "-no-user-config", "-nodefaults", "-S", "-qmp", $"unix:{lab.Path("vm.qmp")},server=on,wait=off",
            "-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no", "-device", $"virtio-net-pci,netdev=n0,mac={Mac},bootindex=1", "-boot", "n");
        // qemu makes the socket before it runs the machine; a process start is not something a fake clock can stand in for.
        for (var i = 0; i < 500 && !File.Exists(lab.Path("vm.qmp")) && !vm.HasExited; i++) await Task.Delay(20, Ct);
        Assert.True(File.Exists(lab.Path("vm.qmp")), "qemu made no QMP socket within 10 s");

        // Playwright talks to chromium over a pipe, which `ip netns exec` (an exec) keeps.
        var chromium = lab.Script("chromium", $"exec {lab.Ip} netns exec {web} {ConsoleBox.Chromium} \"$@\"");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            // As root chromium refuses its sandbox; the pages it opens are this test's own agent's.
            Args = ["--no-sandbox"],
        });
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Api,
            IgnoreHTTPSErrors = true,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        var page = await context.NewPageAsync();
        var errors = Pages.WatchConsole(page);
        try
        {
            await page.GotoAsync("/login?next=%2Fhost%3Fname%3Dvm");
            await Pages.LoginAsync(page, "olive", ConsoleBox.Password, expectPath: "/host?name=vm");
            var state = page.Locator(".power-state .badge");
            await Assertions.Expect(state).ToHaveTextAsync("off");
            await Assertions.Expect(page.Locator("#timeline-empty")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("#live[data-live]")).ToHaveCountAsync(1);
            // A mark in the page's window: a reload or a navigation would lose it.
            await page.EvaluateAsync("() => { window.nbpNoReload = true; }");

            // On: QMP's cont; the page says what the agent did and reads the state again.
            await page.GetByRole(AriaRole.Button, new() { Name = "On vm" }).ClickAsync();
            await Assertions.Expect(page.Locator("#power-result")).ToHaveTextAsync("vm, on: on (was prelaunch, now running)");
            await Assertions.Expect(state).ToHaveTextAsync("on");

            // The boot, step by step, as it happens: the power action, the firmware's DHCP exchange, the iPXE
            // script, kernel and initrd over HTTP, then the initramfs's own DHCP exchange (it runs: it now hears the
            // power button). Each row added by the page's script (fresh), none by a reload.
            var rows = page.Locator("#timeline tbody tr.fresh[data-what]");
            await Assertions.Expect(rows.First).ToContainTextAsync("on: on (was prelaunch, now running)");
            var kernel = page.Locator("#timeline tbody tr.fresh[data-what=kernel]");
            await Assertions.Expect(kernel).ToContainTextAsync("e2e/vmlinuz", Boot);
            await Assertions.Expect(kernel.Locator(".badge")).ToHaveTextAsync(Ok200);
            await Assertions.Expect(kernel.Locator("td.num")).ToHaveTextAsync(kernelBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Assertions.Expect(page.Locator("#timeline tbody tr.fresh[data-what=initrd] .badge")).ToHaveTextAsync(Ok200);
            await Assertions.Expect(page.Locator("#timeline tbody tr.fresh[data-what=dhcp]")).ToHaveCountAsync(2, new() { Timeout = Boot.Timeout });
            Assert.Equal(["power", "dhcp", "script", "kernel", "initrd", "dhcp"], await WhatAsync(rows));
            await Assertions.Expect(page.Locator("#timeline tbody tr.fresh[data-what=script] .badge")).ToHaveTextAsync(Ok200);
            Assert.True(await page.EvaluateAsync<bool>("() => window.nbpNoReload === true"), "the host page was reloaded");
            await Assertions.Expect(page.Locator("#timeline-empty")).ToHaveCountAsync(0);
            await Pages.AccessibleAsync(page, "host with a live boot");
            await Pages.ShotAsync(page, "host-boot");

            // Off: the ACPI power button; the initramfs powers the VM off, and qemu ends with it.
            await page.GetByRole(AriaRole.Button, new() { Name = "Off vm" }).ClickAsync();
            await Assertions.Expect(page.Locator("#power-result")).ToHaveTextAsync(
                "vm, off: ACPI power button pressed: the guest's OS shuts down if it listens (off --force quits the VM)");
            await Assertions.Expect(rows.Last).ToContainTextAsync("off: ACPI power button pressed");
            using (var exit = CancellationTokenSource.CreateLinkedTokenSource(Ct))
            {
                exit.CancelAfter(TimeSpan.FromSeconds(30));
                await vm.WaitForExitAsync(exit.Token);
            }
            Assert.Contains("E2E-POWER-BUTTON", await File.ReadAllTextAsync(serial, Ct), StringComparison.Ordinal);
            var live = await StepsAsync(page);

            // The page reads the power state when it shows and after its own buttons, not as the guest acts on the
            // button: shown again, it reads off, and the server renders the timeline the script built.
            await page.ReloadAsync();
            await Assertions.Expect(state).ToHaveTextAsync("off");
            Assert.Equal(live, await StepsAsync(page));
            Assert.Empty(errors);
        }
        catch (Exception) when (Diagnose(agent, serial))
        {
            throw;
        }
    }

    /// <summary>The steps of the timeline's rows (what), in order.</summary>
    private static async Task<string[]> WhatAsync(ILocator rows) =>
        [.. (await rows.EvaluateAllAsync<string[]>("rs => rs.map(r => r.getAttribute('data-what'))"))];

    /// <summary>Each row of the timeline as its step, detail and status.</summary>
    private static Task<string[]> StepsAsync(IPage page) =>
        page.Locator("#timeline tbody tr[data-what]").EvaluateAllAsync<string[]>(
            "rs => rs.map(r => [2, 3, 4].map(i => r.cells[i].textContent).join(' | '))");

    /// <summary>On a failure, what the agent and the VM's console said (the test's output); never catches.</summary>
    private static bool Diagnose(AgentProcess agent, string serial)
    {
        var console = File.Exists(serial) ? File.ReadAllText(serial) : "(none)";
        TestContext.Current.TestOutputHelper?.WriteLine($"agent:\n{agent.Output}\n\nthe VM's console:\n{(console.Length > 4000 ? console[^4000..] : console)}");
        return false;
    }

    /// <summary>An operator (no TOTP) made through the CLI over the agent's socket.</summary>
    private static async Task AddOperatorAsync(string socket)
    {
        var psi = new ProcessStartInfo(AgentProcess.Executable) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["user", "add", "olive", "--role", "operator", "--password-stdin", "--socket", socket]) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        await p.StandardInput.WriteAsync(ConsoleBox.Password + "\n");
        p.StandardInput.Close();
        var o = p.StandardOutput.ReadToEndAsync(Ct);
        var e = p.StandardError.ReadToEndAsync(Ct);
        await p.WaitForExitAsync(Ct);
        Assert.True(p.ExitCode == 0, $"user add olive: {await o}{await e}");
    }

    /// <summary>tests/e2e/artifacts.sh: the e2e kernel and initramfs, built once and cached.</summary>
    private static async Task<string> E2eArtifactsAsync()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NetbootPi.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        var (code, output, error) = await Tool.RunAsync("bash", [Path.Combine(dir.FullName, "tests", "e2e", "artifacts.sh")], Ct, TimeSpan.FromMinutes(5));
        Assert.True(code == 0, $"tests/e2e/artifacts.sh failed: {error}");
        return output.Trim();
    }
}
