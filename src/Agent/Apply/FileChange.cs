namespace NetbootPi.Agent.Apply;

/// <summary>One file of the box's configuration as it is (<see cref="Before"/>) and as the site wants it (<see cref="After"/>).</summary>
/// <param name="Before">The content now; null when the file does not exist.</param>
/// <param name="After">The content wanted; null when the file is to go.</param>
public sealed record FileChange(string Path, string? Before, string? After)
{
    public bool IsAddition => Before is null && After is not null;
    public bool IsRemoval => Before is not null && After is null;

    /// <summary>The change that undoes this one.</summary>
    public FileChange Inverse => new(Path, After, Before);
}
