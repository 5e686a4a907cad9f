namespace NetbootPi.KernelLab.Tests.Support;

/// <summary>
/// What one job in a lab VM did: its exit status and output, how long it ran, and its folder on the run's share
/// (<c>LAB_JOB_DIR</c> inside the VM, the same path here; gone once the VM is).
/// </summary>
internal sealed record LabResult(IReadOnlyList<string> Command, int Status, string Stdout, string Stderr,
    TimeSpan Duration, string JobDirectory)
{
    /// <summary>Fails the test, with the command and its output, unless the job exited with 0.</summary>
    public LabResult EnsureSuccess()
    {
        if (Status != 0) throw new Xunit.Sdk.XunitException($"in the lab: {Describe()}");
        return this;
    }

    /// <summary>The command, its status and its output, for assertion messages.</summary>
    public string Describe()
    {
        string command = string.Join(' ', Command);
        if (command.Length > 2000) command = command[..2000] + "…";
        return $"{command}\nexited with {Status} after {Duration.TotalSeconds:F1} s\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }
}
