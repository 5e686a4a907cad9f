namespace NetbootPi.Agent.Control;

/// <summary>
/// Where the agent's control socket is: <c>NETBOOTPI_CONTROL_SOCKET</c> when set (the agent and the CLI both read
/// it: one variable points a shell at a lab agent), else the runtime directory systemd made for the unit
/// (<c>RuntimeDirectory=netbootpi</c>), else <c>/run/netbootpi/control.sock</c>.
/// </summary>
public static class ControlSocketPath
{
    public const string FileName = "control.sock";
    public const string EnvironmentVariable = "NETBOOTPI_CONTROL_SOCKET";

    /// <summary>The word that turns the control socket off (<c>run --control-socket none</c>).</summary>
    public const string None = "none";

    public static string Default
    {
        get
        {
            if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } path) return path;
            // systemd passes every RuntimeDirectory= it created, colon-separated; the unit names one.
            if (Environment.GetEnvironmentVariable("RUNTIME_DIRECTORY") is { Length: > 0 } runtime)
                return Path.Combine(runtime.Split(':')[0], FileName);
            return "/run/netbootpi/" + FileName;
        }
    }
}
