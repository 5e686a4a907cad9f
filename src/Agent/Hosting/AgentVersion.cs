using System.Reflection;

namespace NetbootPi.Agent.Hosting;

/// <summary>The agent's version, as the build stamped it (without the source revision suffix).</summary>
public static class AgentVersion
{
    public static string Current { get; } =
        typeof(AgentVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            .Split('+')[0] ?? "0.0.0";
}
