using NetbootPi.Agent.Events;
using NetbootPi.Agent.Power;
using NetbootPi.Agent.Power.Recovery;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Tests.Power;

/// <summary>
/// The recovery state machine on its own, on a made-up clock: what it decides from power actions, boot events,
/// probe results and time, and the sentences that become the host's boot events.
/// </summary>
public class HostRecoveryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

    private static RecoveryPolicy Policy(int? probe = null, int attempts = 3, int backoffSeconds = 60) =>
        new(TimeSpan.FromMinutes(5), probe, attempts, TimeSpan.FromSeconds(backoffSeconds), TimeSpan.FromMinutes(2), default);

    private static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    [Fact]
    public void A_boot_that_gets_its_kernel_in_time_is_up_and_never_cycled()
    {
        var r = new HostRecovery("vm", Policy());
        Assert.Null(r.PowerActed(PowerAction.On, true, At(0)));
        Assert.Equal((RecoveryPhase.Booting, At(300)), (r.Phase, r.Due));
        Assert.Null(r.BootSeen(BootEventKind.Dhcp, 0, At(5)));
        Assert.Null(r.BootSeen(BootEventKind.Script, 200, At(6)));
        // A kernel that was not served is no progress.
        Assert.Null(r.BootSeen(BootEventKind.Kernel, 404, At(7)));
        var up = r.BootSeen(BootEventKind.Kernel, 200, At(8));
        Assert.Equal(new RecoveryNote(RecoveryNoteKind.Up, "up: its kernel was fetched 8s after power-on"), up);
        Assert.Equal((RecoveryPhase.Up, (DateTimeOffset?)null), (r.Phase, r.Due));
        Assert.Null(r.Tick(At(10_000)));
    }

    [Fact]
    public void A_boot_that_stops_short_is_cycled_with_back_off_and_then_marked_failed()
    {
        var r = new HostRecovery("vm", Policy(attempts: 3, backoffSeconds: 60));
        r.PowerActed(PowerAction.On, true, At(0));
        r.BootSeen(BootEventKind.Dhcp, 0, At(5));
        Assert.Null(r.Tick(At(299)));
        var first = r.Tick(At(300));
        Assert.Equal(new RecoveryNote(RecoveryNoteKind.Cycle, "no boot script or kernel fetched 5m after power-on → cycle 1/3", 1, 3), first);
        Assert.Equal(RecoveryPhase.Cycling, r.Phase);
        // Nothing it sees while the box cycles it counts; the cycle's own outcome starts the next boot.
        Assert.Null(r.BootSeen(BootEventKind.Dhcp, 0, At(301)));
        r.PowerActed(PowerAction.Cycle, true, At(302), byRecovery: true);
        Assert.Equal((RecoveryPhase.Booting, At(602), 1), (r.Phase, r.Due, r.Cycles));
        // This time not even DHCP: the second cycle waits its back-off.
        Assert.Equal(new RecoveryNote(RecoveryNoteKind.Waiting, "no DHCP exchange 5m after power-on: cycle 2/3 in 1m"), r.Tick(At(602)));
        Assert.Equal((RecoveryPhase.Waiting, At(662)), (r.Phase, r.Due));
        Assert.Null(r.Tick(At(661)));
        Assert.Equal(new RecoveryNote(RecoveryNoteKind.Cycle, "no DHCP exchange 5m after power-on → cycle 2/3", 2, 3), r.Tick(At(662)));
        // A cycle that failed (the BMC did not answer) still counts, and the clock runs again.
        r.PowerActed(PowerAction.Cycle, false, At(663), byRecovery: true);
        Assert.Equal(new RecoveryNote(RecoveryNoteKind.Waiting, "no DHCP exchange 5m after power-on: cycle 3/3 in 2m"), r.Tick(At(963)));
        Assert.Equal(At(1083), r.Due);
        Assert.Equal(new RecoveryNote(RecoveryNoteKind.Cycle, "no DHCP exchange 5m after power-on → cycle 3/3", 3, 3), r.Tick(At(1083)));
        r.PowerActed(PowerAction.Cycle, true, At(1084), byRecovery: true);
        var gaveUp = r.Tick(At(1384));
        Assert.Equal(new RecoveryNote(RecoveryNoteKind.GaveUp,
            "no DHCP exchange 5m after power-on: marked failed after 3 power cycles (left alone until it comes up or is powered through the box)"), gaveUp);
        Assert.Equal((RecoveryPhase.Failed, (DateTimeOffset?)null), (r.Phase, r.Due));
        // A failed host looping in its firmware does not start the count again.
        Assert.Null(r.BootSeen(BootEventKind.Dhcp, 0, At(1400)));
        Assert.Null(r.Tick(At(100_000)));
        Assert.Equal(RecoveryPhase.Failed, r.Phase);
    }

    [Fact]
    public void A_host_that_comes_up_late_during_the_back_off_is_not_cycled()
    {
        var r = new HostRecovery("vm", Policy(probe: 22, attempts: 2));
        r.BootSeen(BootEventKind.Dhcp, 0, At(0));
        Assert.Equal("probe tcp:22 not answering 5m after the boot began → cycle 1/2", r.Tick(At(300))!.Message);
        r.PowerActed(PowerAction.Cycle, true, At(301), byRecovery: true);
        Assert.Equal(RecoveryNoteKind.Waiting, r.Tick(At(601))!.Kind);
        Assert.Equal(new RecoveryNote(RecoveryNoteKind.Up, "up: probe tcp:22 answered 5m30s after power-on, after 1 power cycle"), r.Probed(true, At(631)));
        Assert.Equal((RecoveryPhase.Up, 0), (r.Phase, r.Cycles));
        Assert.Null(r.Tick(At(10_000)));
    }

    [Fact]
    public void Within_a_boot_more_DHCP_never_moves_the_deadline()
    {
        var r = new HostRecovery("vm", Policy(probe: 22));
        r.BootSeen(BootEventKind.Dhcp, 0, At(0));
        for (var s = 30; s < 300; s += 30) Assert.Null(r.BootSeen(BootEventKind.Dhcp, 0, At(s)));
        Assert.Equal(At(300), r.Due);
        Assert.Equal(RecoveryNoteKind.Cycle, r.Tick(At(300))!.Kind);
    }

    [Fact]
    public void A_host_that_was_up_and_goes_silent_is_cycled_after_down_after()
    {
        var r = new HostRecovery("vm", Policy(probe: 22));
        // Found running when the agent started: up without a boot.
        Assert.Equal(new RecoveryNote(RecoveryNoteKind.Up, "up: probe tcp:22 answered"), r.Probed(true, At(0)));
        Assert.Null(r.Probed(false, At(30)));
        Assert.Equal(At(150), r.Due);
        // One answer in between starts the count again.
        Assert.Null(r.Probed(true, At(60)));
        Assert.Null(r.Due);
        Assert.Null(r.Probed(false, At(90)));
        Assert.Null(r.Probed(false, At(200)));
        Assert.Equal(new RecoveryNote(RecoveryNoteKind.Cycle, "probe tcp:22 failing for 2m → cycle 1/3", 1, 3), r.Probed(false, At(210)));
    }

    [Fact]
    public void A_host_turned_off_through_the_box_is_left_alone_until_it_boots_again()
    {
        var r = new HostRecovery("vm", Policy(probe: 22));
        r.Probed(true, At(0));
        r.PowerActed(PowerAction.Off, true, At(10));
        Assert.Equal(RecoveryPhase.Off, r.Phase);
        Assert.Null(r.Probed(false, At(20)));
        Assert.Null(r.Tick(At(100_000)));
        // Someone pressed its button: a boot on the clock.
        r.BootSeen(BootEventKind.Dhcp, 0, At(100_000));
        Assert.Equal((RecoveryPhase.Booting, At(100_300)), (r.Phase, r.Due));
        Assert.Equal("probe tcp:22 not answering 5m after the boot began → cycle 1/3", r.Tick(At(100_300))!.Message);
    }

    [Fact]
    public void An_operator_s_power_action_starts_the_count_again_and_a_failed_one_changes_nothing()
    {
        var r = new HostRecovery("vm", Policy(attempts: 1));
        r.PowerActed(PowerAction.On, true, At(0));
        Assert.Equal(RecoveryNoteKind.Cycle, r.Tick(At(300))!.Kind);
        r.PowerActed(PowerAction.Cycle, true, At(301), byRecovery: true);
        Assert.Equal(RecoveryNoteKind.GaveUp, r.Tick(At(601))!.Kind);
        Assert.Null(r.PowerActed(PowerAction.Reset, false, At(700)));
        Assert.Equal(RecoveryPhase.Failed, r.Phase);
        r.PowerActed(PowerAction.Reset, true, At(800));
        Assert.Equal((RecoveryPhase.Booting, 0), (r.Phase, r.Cycles));
        Assert.Equal("no DHCP exchange 5m after power-on → cycle 1/1", r.Tick(At(1100))!.Message);
    }

    [Fact]
    public void Without_a_probe_a_new_boot_of_an_up_host_is_its_script_fetch_not_its_OS_asking_DHCP_again()
    {
        var r = new HostRecovery("vm", Policy());
        r.BootSeen(BootEventKind.Dhcp, 0, At(0));
        r.BootSeen(BootEventKind.Kernel, 200, At(5));
        Assert.Equal(RecoveryPhase.Up, r.Phase);
        Assert.Null(r.BootSeen(BootEventKind.Dhcp, 0, At(60)));
        Assert.Equal(RecoveryPhase.Up, r.Phase);
        r.BootSeen(BootEventKind.Script, 200, At(3600));
        Assert.Equal((RecoveryPhase.Booting, At(3900)), (r.Phase, r.Due));
        Assert.Equal("no kernel fetched 5m after the boot began → cycle 1/3", r.Tick(At(3900))!.Message);
    }

    [Theory]
    [InlineData(8, "8s")]
    [InlineData(300, "5m")]
    [InlineData(72, "1m12s")]
    [InlineData(7200, "2h")]
    [InlineData(5400, "1h30m")]
    public void Durations_read_as_the_site_file_writes_them(int seconds, string text) =>
        Assert.Equal(text, HostRecovery.Duration(TimeSpan.FromSeconds(seconds)));
}
