using System.Globalization;
using NetbootPi.Agent.Os.Tools;
using NetbootPi.Agent.Site;
using NetbootPi.Hardware.Power;

namespace NetbootPi.Agent.Power;

/// <summary>
/// A BMC over IPMI 2.0 (RMCP+), through <c>ipmitool -I lanplus</c>: <c>chassis power status|on|soft|off|cycle|reset</c>.
/// The password goes to ipmitool in its environment (<c>-E</c> reads IPMI_PASSWORD), never in its argv, which
/// every user can read in /proc. The cipher suite is named (<c>-C</c>, 3 by default) rather than negotiated:
/// ipmitool's negotiation fails against BMCs that do not answer "Get Channel Cipher Suites" as it expects.
/// </summary>
public sealed class IpmiPowerDriver(IToolRunner tools, string address, int port, int cipherSuite, BmcCredentials account,
    string program = "ipmitool") : IHostPowerDriver
{
    public static IpmiPowerDriver For(string siteFile, HostEntry host, IToolRunner tools)
    {
        var errors = new List<SiteError>();
        var secrets = PowerSecrets.Load(PowerSecrets.PathFor(siteFile), errors);
        if (secrets is null) throw new PowerException(string.Join("; ", errors));
        if (!secrets.TryGetValue(host.Name, out var account))
            throw new PowerException($"no account for host {host.Name} in {PowerSecrets.PathFor(siteFile)}");
        var p = host.Power!;
        return new IpmiPowerDriver(tools, p.BmcAddress!, p.BmcPort, p.CipherSuite, account);
    }

    public async Task<PowerReply> RunAsync(PowerAction action, CancellationToken cancellation)
    {
        var verb = action switch
        {
            PowerAction.Status => "status",
            PowerAction.On => "on",
            PowerAction.Off => "soft",
            PowerAction.ForceOff => "off",
            PowerAction.Cycle => "cycle",
            _ => "reset",
        };
        var result = await PowerAsync(verb, cancellation).ConfigureAwait(false);
        if (!result.Succeeded)
            return new PowerReply(false, PowerState.Unknown, $"the BMC at {address}:{port} refused chassis power {verb}: {Said(result)} (check the address, the account in {PowerSecrets.FileName}, and that IPMI over LAN is enabled on the BMC)");
        var state = action == PowerAction.Status ? Parse(result.Output) : await StateAsync(cancellation).ConfigureAwait(false);
        var name = state switch { PowerState.On => "on", PowerState.Off => "off", _ => "unknown" };
        return action switch
        {
            PowerAction.Status => new PowerReply(state != PowerState.Unknown, state, state == PowerState.Unknown ? $"unknown: the BMC said '{result.Output.Trim()}'" : $"{name} (the BMC says)"),
            PowerAction.On => new PowerReply(state == PowerState.On, state, $"chassis power on: now {name}"),
            PowerAction.ForceOff => new PowerReply(state == PowerState.Off, state, $"chassis power off: now {name}"),
            PowerAction.Off => new PowerReply(true, state, $"chassis power soft (ACPI shutdown asked of the OS): {name} for now"),
            PowerAction.Cycle => new PowerReply(true, state, $"chassis power cycle: now {name}"),
            _ => new PowerReply(true, state, $"chassis power reset: now {name}"),
        };
    }

    private async Task<PowerState> StateAsync(CancellationToken cancellation)
    {
        var result = await PowerAsync("status", cancellation).ConfigureAwait(false);
        return result.Succeeded ? Parse(result.Output) : PowerState.Unknown;
    }

    private static PowerState Parse(string output) =>
        output.Contains("Chassis Power is on", StringComparison.Ordinal) ? PowerState.On
        : output.Contains("Chassis Power is off", StringComparison.Ordinal) ? PowerState.Off
        : PowerState.Unknown;

    private static string Said(ToolResult r) => (r.Errors.Trim().Length > 0 ? r.Errors : r.Output).Trim().ReplaceLineEndings("; ");

    private Task<ToolResult> PowerAsync(string verb, CancellationToken cancellation)
    {
        var call = new ToolCall(program, "-I", "lanplus", "-H", address, "-p", port.ToString(CultureInfo.InvariantCulture),
            "-C", cipherSuite.ToString(CultureInfo.InvariantCulture), "-U", account.Username, "-E", "-N", "2", "-R", "2", "chassis", "power", verb)
        {
            Environment = new Dictionary<string, string> { ["IPMI_PASSWORD"] = account.Password },
            Timeout = TimeSpan.FromSeconds(30),
        };
        try
        {
            return tools.RunAsync(call, cancellation);
        }
        catch (ToolException e)
        {
            throw new PowerException($"cannot run ipmitool: {e.Message} (is it installed? apt install ipmitool)", e);
        }
    }

    public void Dispose()
    {
    }
}
