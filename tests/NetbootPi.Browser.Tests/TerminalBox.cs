using NetbootPi.Agent.Tests.Os.Systemd;

namespace NetbootPi.Browser.Tests;

/// <summary>
/// The console box with a systemd of its own (<c>systemd --user</c> with its bus, as the Agent tests' terminal
/// test has it) that the agent takes for PID 1, and an admin named as a local user of the machine (root), whose
/// terminal is root's shell. Another admin with TOTP, an operator and a viewer as every console box has.
/// </summary>
public sealed class TerminalBox : ConsoleBox
{
    private readonly SystemdUserManagerFixture _systemd = new();

    public string? Bus => _systemd.BusAddress;

    protected override async Task<IReadOnlyDictionary<string, string>?> EnvironmentAsync()
    {
        await _systemd.InitializeAsync();
        return _systemd.BusAddress is { } bus ? new Dictionary<string, string> { ["DBUS_SYSTEM_BUS_ADDRESS"] = bus } : null;
    }

    /// <summary>Skips the test without a systemd to run the shell (fails it under CI=true).</summary>
    public string RequireBus()
    {
        Require();
        return _systemd.RequireBus();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _systemd.DisposeAsync();
    }
}
