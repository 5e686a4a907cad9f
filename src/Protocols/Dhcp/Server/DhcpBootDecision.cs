using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dhcp.Server;

/// <summary>What to tell a client about booting: nothing, or a file (TFTP name or URL), a server and options.</summary>
public sealed class DhcpBootDecision
{
    /// <summary>No boot offer: the client gets an address only (profile <c>none</c>).</summary>
    public static DhcpBootDecision None { get; } = new();

    /// <summary>True when there is something to boot; a proxy stays silent otherwise.</summary>
    public bool Boots => !string.IsNullOrEmpty(BootFileName);

    /// <summary>The <c>file</c> field: a TFTP path or an http:// URL. Over 127 bytes it goes only in option 67.</summary>
    public string? BootFileName { get; init; }

    /// <summary><c>siaddr</c>: the server the client fetches <see cref="BootFileName"/> from.</summary>
    public Ipv4Address NextServer { get; init; }

    /// <summary>Extra options (60, 43, 66, 67, 175 …), in the order they should be sent.</summary>
    public IReadOnlyList<DhcpBootOption> Options { get; init; } = [];
}
