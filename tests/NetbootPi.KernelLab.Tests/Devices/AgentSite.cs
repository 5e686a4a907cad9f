using NetbootPi.KernelLab.Tests.Support;

namespace NetbootPi.KernelLab.Tests.Devices;

/// <summary>The published agent (<see cref="PublishedAgent"/>), and a small site for it whose state lives in a given folder.</summary>
internal static class AgentSite
{
    /// <summary>Inside a VM: the host made sure of it (<see cref="PublishedAgent.EnsureAsync"/>) before the VM started.</summary>
    public static string Executable => PublishedAgent.Executable;

    /// <summary>The arguments after <c>netbootpi</c>: the agent on loopback, without DHCP or a control socket.</summary>
    public static string[] RunArguments(string site, params string[] more) =>
        ["run", "--config", site, "--no-dhcp", "--listen", "127.0.0.1", "--tftp-port", "0", "--http-listen", "127.0.0.1:0",
            "--control-socket", "none", .. more];

    public static string Write(string folder, string stateDirectory)
    {
        string path = Path.Combine(folder, "site.yaml");
        File.WriteAllText(path, $"""
            site: {"{"} name: lab, domain: lab.internal {"}"}
            server: {"{"} state_dir: {stateDirectory} {"}"}
            networks:
              lan:
                interface: eth0
                address: 10.0.0.1/24
                dhcp: {"{"} mode: authoritative, range: 10.0.0.100-10.0.0.199, lease: 1h {"}"}
            profiles:
              p: {"{"} local: true {"}"}
            defaults: {"{"} profile: p {"}"}
            hosts:
              a: {"{"} mac: 00:00:00:00:00:01, ip: 10.0.0.10 {"}"}
            """);
        return path;
    }
}
