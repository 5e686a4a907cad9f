using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dhcp.Server;

// Filling in and serializing replies.
public sealed partial class DhcpEngine
{
    /// <summary>The header fields RFC 2131 §4.3.1 table 3 copies from the request, plus 53 and 54.</summary>
    private void StartReply(DhcpMessage request, Ipv4Address server, DhcpMessageType type)
    {
        var r = _reply;
        r.Clear();
        r.Operation = DhcpOperation.BootReply;
        r.HardwareType = request.HardwareType;
        r.HardwareAddressLength = request.HardwareAddressLength;
        r.TransactionId = request.TransactionId;
        r.Flags = request.Flags;
        r.GatewayAddress = request.GatewayAddress;
        request.ClientHardwareAddressField.CopyTo(r.ClientHardwareAddressField);
        r.Options.SetByte(DhcpOptionCode.MessageType, (byte)type, required: true);
        r.Options.SetAddress(DhcpOptionCode.ServerIdentifier, server, required: true);
    }

    private void BuildReply(DhcpMessage request, Served served, DhcpMessageType type, Ipv4Address address,
        DhcpReservation? reservation, DhcpBootDecision boot, TimeSpan? lease)
    {
        var network = served.Network;
        StartReply(request, served.Server, type);
        var r = _reply;
        r.YourAddress = address;
        // Table 3: an ACK carries the request's ciaddr (non-zero when renewing, rebinding or informing).
        if (type == DhcpMessageType.Ack) r.ClientAddress = request.ClientAddress;
        var o = r.Options;
        if (lease is { } time)
        {
            // RFC 2131 §4.4.5 defaults: T1 = 0.5 and T2 = 0.875 of the lease.
            var seconds = (uint)Math.Clamp(time.TotalSeconds, 60, uint.MaxValue - 1);
            o.SetUInt32(DhcpOptionCode.LeaseTime, seconds, required: true);
            o.SetUInt32(DhcpOptionCode.RenewalTime, seconds / 2, required: true);
            o.SetUInt32(DhcpOptionCode.RebindingTime, (uint)(seconds * 7UL / 8), required: true);
        }
        // Like dnsmasq and Kea, the subnet mask goes to every client: a client that guesses it gets routing wrong.
        o.SetAddress(DhcpOptionCode.SubnetMask, network.Subnet.Mask, required: true);
        ApplyBoot(boot, o);

        // The rest are sent as the parameter request list asks (RFC 2131 §4.3.1), in its order of priority;
        // clients without a list get all of them.
        var c = _candidates;
        c.Clear();
        if (network.Routers.Count > 0) c.SetAddresses(DhcpOptionCode.Router, AsSpan(network.Routers));
        if (network.DnsServers.Count > 0) c.SetAddresses(DhcpOptionCode.DomainNameServer, AsSpan(network.DnsServers));
        if (!string.IsNullOrEmpty(reservation?.HostName)) c.SetString(DhcpOptionCode.HostName, reservation.HostName);
        if (!string.IsNullOrEmpty(network.DomainName)) c.SetString(DhcpOptionCode.DomainName, network.DomainName);
        c.SetAddress(DhcpOptionCode.BroadcastAddress, network.Subnet.BroadcastAddress);
        foreach (var opt in boot.Options)
            if (!opt.Always && !o.Contains(opt.Code)) c.Set(opt.Code, opt.Value);
        if (boot.Boots && !o.Contains(DhcpOptionCode.BootFileName) && r.FileField[0] == 0)
            c.SetString(DhcpOptionCode.BootFileName, boot.BootFileName!);

        if (request.Options.TryGet(DhcpOptionCode.ParameterRequestList, out var prl))
        {
            foreach (var code in prl)
                if (!o.Contains((DhcpOptionCode)code)) o.CopyFrom(c, (DhcpOptionCode)code);
        }
        else
        {
            for (var k = 0; k < c.Count; k++)
                if (!o.Contains(c.CodeAt(k))) o.CopyFrom(c, c.CodeAt(k));
        }
        EchoClientOptions(request);
    }

    private void ApplyBoot(DhcpBootDecision boot, DhcpOptionSet o)
    {
        if (!boot.Boots) return;
        _reply.NextServerAddress = boot.NextServer;
        // The file field holds 127 bytes and a NUL; longer names (URLs) travel only in option 67.
        if (System.Text.Encoding.UTF8.GetByteCount(boot.BootFileName!) < DhcpMessage.FileLength)
            _reply.BootFileName = boot.BootFileName!;
        else
            o.SetString(DhcpOptionCode.BootFileName, boot.BootFileName!, required: true);
        foreach (var opt in boot.Options)
            if (opt.Always) o.Set(opt.Code, opt.Value, required: true);
    }

    /// <summary>RFC 6842: the client identifier is echoed; RFC 3046 §2.2: so is relay information (written last).</summary>
    private void EchoClientOptions(DhcpMessage request)
    {
        _reply.Options.CopyFrom(request.Options, DhcpOptionCode.ClientIdentifier, required: true);
        _reply.Options.CopyFrom(request.Options, DhcpOptionCode.RelayAgentInformation, required: true);
    }

    private DhcpEngineResult Finish(DhcpMessage request, in DhcpReceiveContext context, DhcpNetwork network,
        DhcpMessageType type, Span<byte> buffer, long ticket)
    {
        if (!DhcpMessageWriter.TryWrite(_reply, buffer, DhcpMessageWriter.MaxPayloadFor(request), out var length, out _))
            return DhcpEngineResult.Drop(DhcpDisposition.ReplyTooLarge, network.Name, _reply.YourAddress);
        var route = Route(request, _reply, type, context);
        return new DhcpEngineResult(DhcpDisposition.Reply, type, length, route, ticket, _reply.YourAddress, network.Name);
    }

    private static ReadOnlySpan<Ipv4Address> AsSpan(IReadOnlyList<Ipv4Address> list) =>
        list is Ipv4Address[] array ? array : list.ToArray();
}
