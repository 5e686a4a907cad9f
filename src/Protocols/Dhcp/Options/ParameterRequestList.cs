namespace NetbootPi.Protocols.Dhcp.Options;

/// <summary>Option 55 (RFC 2132 §9.8): the codes a client asks for, most wanted first.</summary>
public static class ParameterRequestList
{
    public static bool Requests(DhcpOptionSet options, DhcpOptionCode code) =>
        options.TryGet(DhcpOptionCode.ParameterRequestList, out var v) && v.Contains((byte)code);
}
