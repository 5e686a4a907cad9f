using NetbootPi.Protocols.Dhcp.Options;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dhcp.Server;

// ProxyDHCP (PXE 2.1 §2.2.3 and §2.2.5): boot information only, never an address.
public sealed partial class DhcpEngine
{
    // PXE 2.1 §2.4.3 vendor option 43, sub-option 6 (PXE_DISCOVERY_CONTROL) = 8: skip boot server
    // discovery and download the boot file named in this reply — what pixiecore and dnsmasq send.
    private static ReadOnlySpan<byte> DirectBootDiscoveryControl => [6, 1, 8, 255];

    private DhcpEngineResult HandleProxy(DhcpMessage request, in DhcpReceiveContext context, Served served, Span<byte> buffer)
    {
        var network = served.Network;
        if (!VendorClass.IsPxeClient(request.Options)) return DhcpEngineResult.Drop(DhcpDisposition.ProxyNotPxeClient, network.Name);
        var type = request.MessageType;
        // Port 67 sees the broadcast DISCOVER (answered with a proxy OFFER); port 4011 sees the client's
        // follow-up REQUEST (or INFORM) to the boot server, answered with an ACK to its source.
        DhcpMessageType replyType;
        if (context.LocalPort == PxeBootServerPort && type is DhcpMessageType.Request or DhcpMessageType.Inform)
            replyType = DhcpMessageType.Ack;
        else if (context.LocalPort != PxeBootServerPort && type == DhcpMessageType.Discover)
            replyType = DhcpMessageType.Offer;
        else
            return DhcpEngineResult.Drop(DhcpDisposition.ProxyNothingToSay, network.Name);

        var boot = served.Policy.DecideBoot(network, request, served.Server);
        if (!boot.Boots) return DhcpEngineResult.Drop(DhcpDisposition.ProxyNothingToSay, network.Name);

        StartReply(request, served.Server, replyType);
        var o = _reply.Options;
        ApplyBoot(boot, o);
        if (!o.Contains(DhcpOptionCode.VendorClassIdentifier))
            o.Set(DhcpOptionCode.VendorClassIdentifier, VendorClass.PxeClient, required: true);
        if (!o.Contains(DhcpOptionCode.VendorSpecific))
            o.Set(DhcpOptionCode.VendorSpecific, DirectBootDiscoveryControl, required: true);
        foreach (var opt in boot.Options)
            if (!opt.Always && !o.Contains(opt.Code)) o.Set(opt.Code, opt.Value);
        // PXE 2.1 §2.2.5: proxy replies carry the client's UUID back; some firmware ignores replies without it.
        o.CopyFrom(request.Options, DhcpOptionCode.ClientMachineIdentifier, required: true);
        if (replyType == DhcpMessageType.Ack) _reply.ClientAddress = request.ClientAddress;
        EchoClientOptions(request);
        _reply.YourAddress = Ipv4Address.Any;
        return Finish(request, context, network, replyType, buffer, ticket: 0);
    }
}
