using NetbootPi.Agent.Os.Tools;

namespace NetbootPi.Agent.Apply;

/// <summary>
/// One step of an <see cref="ApplyPlan"/> that is not a file: <paramref name="Target"/> is the unit, link or
/// service it acts on; <paramref name="Tool"/> the call for <see cref="PlanAction.RunTool"/>.
/// </summary>
/// <param name="BeforeFiles">True for a step that runs before the files change (a check, stopping a unit that still needs its old file).</param>
public sealed record PlanStep(PlanAction Action, string Target, ToolCall? Tool = null, bool BeforeFiles = false)
{
    /// <summary>A tool run.</summary>
    public static PlanStep Run(ToolCall call, bool beforeFiles = false) => new(PlanAction.RunTool, call.Program, call, beforeFiles);

    /// <summary>The step as <c>netbootpi plan</c> prints it.</summary>
    public override string ToString() => Action switch
    {
        PlanAction.RunTool => $"run {Tool}",
        PlanAction.StartUnit => $"start {Target}",
        PlanAction.RestartUnit => $"restart {Target}",
        PlanAction.StopUnit => $"stop {Target}",
        PlanAction.DeleteLink => $"delete link {Target}",
        PlanAction.ReloadNetworkd => $"reload {Target} (org.freedesktop.network1 Reload)",
        PlanAction.CreateKey => $"make the private key {Target}",
        PlanAction.CheckUdpPort => $"check that UDP port {Target} is free",
        _ => $"{Action} {Target}",
    };
}
