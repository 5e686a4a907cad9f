using System.Globalization;

namespace NetbootPi.Agent.Os.Network;

/// <summary>
/// Which local UDP ports have a socket bound, from the kernel's tables (<c>/proc/net/udp</c> and <c>udp6</c>) of
/// the network namespace the agent runs in: before WireGuard takes a port, whether something else has it.
/// </summary>
public static class UdpPorts
{
    /// <summary>True when any socket in this network namespace is bound to local UDP port <paramref name="port"/>.</summary>
    public static bool InUse(int port, string procNet = "/proc/net")
    {
        foreach (var table in (ReadOnlySpan<string>)["udp", "udp6"])
        {
            IEnumerable<string> lines;
            try
            {
                lines = File.ReadLines(Path.Combine(procNet, table)).Skip(1).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // no IPv6, or no /proc: nothing known to be in the way
            }
            foreach (var line in lines)
            {
                // "  sl  local_address rem_address ...": local_address is ADDRESS:PORT, the port in hex.
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 2) continue;
                var colon = fields[1].LastIndexOf(':');
                if (colon > 0 && int.TryParse(fields[1].AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var p) && p == port)
                    return true;
            }
        }
        return false;
    }
}
