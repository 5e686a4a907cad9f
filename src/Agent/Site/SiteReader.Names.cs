using System.Text.RegularExpressions;

namespace NetbootPi.Agent.Site;

// The rules for names: hosts, networks, profiles, interfaces, domains, Pi serials.
internal sealed partial class SiteReader
{
    internal static bool IsHostName(string s) => HostNameRegex().IsMatch(s);
    internal static bool IsNetworkName(string s) => NetworkNameRegex().IsMatch(s);
    internal static bool IsProfileName(string s) => ProfileNameRegex().IsMatch(s);
    internal static bool IsInterfaceName(string s) => s.Length is > 0 and <= 15 && InterfaceRegex().IsMatch(s);
    internal static bool IsPiSerial(string s) => PiSerialRegex().IsMatch(s);
    internal static bool IsDomainName(string s) =>
        s.Length <= 253 && s.Split('.').All(l => HostNameRegex().IsMatch(l));

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex HostNameRegex();
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,14}$")]
    private static partial Regex NetworkNameRegex();
    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$")]
    private static partial Regex ProfileNameRegex();
    [GeneratedRegex("^[A-Za-z0-9_.@-]+$")]
    private static partial Regex InterfaceRegex();
    [GeneratedRegex("^[0-9A-Fa-f]{8}$")]
    private static partial Regex PiSerialRegex();
}
