namespace NetbootPi.Agent.Apply;

/// <summary>
/// Brings one part of the box (its network, its exports, ...) to what the site wants, in two halves: a plan that
/// reads the box and changes nothing, and the plan carried out.
/// </summary>
/// <typeparam name="TWanted">What the site wants, rendered (files, rules), so that it can be stored and applied again later.</typeparam>
/// <remarks>
/// <see cref="PlanAsync"/> reads only; it is what <c>netbootpi plan</c> prints. <see cref="ExecuteAsync"/> makes the
/// plan's file changes as one step (<see cref="FileSetWriter"/>) and runs its steps in order; when a step fails it
/// throws <see cref="ApplyException"/> after putting the files back as they were, so the caller can apply what was
/// there before (a plan of its own) to put the rest back too.
/// </remarks>
public interface IApplier<in TWanted>
{
    Task<ApplyPlan> PlanAsync(TWanted wanted, CancellationToken cancellationToken = default);

    Task ExecuteAsync(ApplyPlan plan, CancellationToken cancellationToken = default);
}
