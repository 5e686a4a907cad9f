namespace NetbootPi.Protocols.Dhcp.Options;

/// <summary>Option 82 (RFC 3046): sub-options a relay adds; the server echoes the whole option unchanged (§2.2).</summary>
public static class RelayAgentInformation
{
    public const byte CircuitId = 1;
    public const byte RemoteId = 2;

    public static bool TryGetCircuitId(DhcpOptionSet options, out ReadOnlySpan<byte> circuitId)
    {
        circuitId = default;
        return options.TryGet(DhcpOptionCode.RelayAgentInformation, out var v) && EncapsulatedOptions.TryGet(v, CircuitId, out circuitId);
    }

    public static bool TryGetRemoteId(DhcpOptionSet options, out ReadOnlySpan<byte> remoteId)
    {
        remoteId = default;
        return options.TryGet(DhcpOptionCode.RelayAgentInformation, out var v) && EncapsulatedOptions.TryGet(v, RemoteId, out remoteId);
    }
}
