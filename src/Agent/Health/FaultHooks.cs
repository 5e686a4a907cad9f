namespace NetbootPi.Agent.Health;

/// <summary>
/// Faults the tests switch on from outside, to prove that the health checks catch what they are for:
/// <c>NETBOOTPI_FAULT=tftp-wedge</c> makes the TFTP request loop hang on its next request, as a bug or a stuck
/// file system would; <c>events-wedge</c> the boot event writer on its next batch, as a dying SD card would;
/// <c>http-wedge</c> every HTTP request, the health check's own included. In every build; the unit never sets the variable, and the agent logs loudly when it is set.
/// </summary>
public static class FaultHooks
{
    public const string EnvironmentVariable = "NETBOOTPI_FAULT";

    private static readonly string? Fault = Environment.GetEnvironmentVariable(EnvironmentVariable);

    /// <summary>The fault switched on, if any (the agent says so at start).</summary>
    public static string? Active => Fault;

    /// <summary>Never returns when <paramref name="name"/> is the fault switched on.</summary>
    public static void WedgeIf(string name)
    {
        if (Fault == name) Thread.Sleep(Timeout.Infinite);
    }
}
