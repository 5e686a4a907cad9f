using System.Text;

namespace NetbootPi.Agent.Apply;

/// <summary>
/// What an applier would do to bring the box to what the site wants: the files it changes (each as a
/// <see cref="FileChange"/>) and the steps around them (tool runs, unit starts and stops, link deletions, reloads)
/// in the order they run. <see cref="Render"/> prints it for <c>netbootpi plan</c>; applying it is the applier's.
/// </summary>
/// <param name="Notes">Things to show with the plan that are not changes (the nftables rules loaded again as they are).</param>
public sealed record ApplyPlan(IReadOnlyList<FileChange> Files, IReadOnlyList<PlanStep> Steps, IReadOnlyList<string> Notes)
{
    public static readonly ApplyPlan Empty = new([], [], []);

    /// <summary>True when nothing would change.</summary>
    public bool IsEmpty => Files.Count == 0 && Steps.Count == 0;

    /// <summary>
    /// The plan as text: steps that run before the files change, then every file as a unified diff (<c>patch -p0</c>
    /// applies them), then the steps that follow, each step a line starting with <c># </c> so the whole stays a patch.
    /// </summary>
    public string Render()
    {
        var w = new StringBuilder();
        foreach (var note in Notes) w.Append("# ").Append(note).Append('\n');
        if (IsEmpty)
        {
            w.Append("# nothing to change\n");
            return w.ToString();
        }
        foreach (var step in Steps.Where(s => s.BeforeFiles)) w.Append("# then: ").Append(step).Append('\n');
        foreach (var change in Files) w.Append(UnifiedDiff.Render(change));
        foreach (var step in Steps.Where(s => !s.BeforeFiles)) w.Append("# then: ").Append(step).Append('\n');
        return w.ToString();
    }
}
