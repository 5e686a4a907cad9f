using NetbootPi.Agent.Power;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Redfish;

/// <summary>
/// Redfish's ResetType values (Resource.ResetType) a host's wiring can do, and the power action each one is. A list
/// is per host and truthful: Wake-on-LAN only turns a host on; a front panel without a reset line has no
/// ForceRestart; a host without <c>power:</c> (the console host alone) has none.
/// </summary>
internal static class ResetTypes
{
    private static readonly (string Name, PowerAction Action)[] All =
    [
        ("On", PowerAction.On),
        ("ForceOff", PowerAction.ForceOff),
        ("GracefulShutdown", PowerAction.Off),
        ("ForceRestart", PowerAction.Reset),
        ("PowerCycle", PowerAction.Cycle),
    ];

    public static string[] Of(HostPower? power) => power switch
    {
        null => [],
        { Driver: PowerDriver.WakeOnLan } => ["On"],
        { Lines: { ResetPin: null } } => [.. All.Where(a => a.Action != PowerAction.Reset).Select(a => a.Name)],
        _ => [.. All.Select(a => a.Name)],
    };

    /// <summary>The action <paramref name="name"/> is, when <paramref name="power"/> can do it.</summary>
    public static PowerAction? Action(HostPower? power, string name) =>
        Of(power).Contains(name, StringComparer.Ordinal) ? All.First(a => a.Name == name).Action : null;
}
