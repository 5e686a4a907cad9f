using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Media.Catalog;

/// <summary>
/// Which addresses a download may connect to. Refused unless the site names them (<c>media.fetch_allow</c>):
/// loopback, link-local, unspecified (<c>0.0.0.0/8</c>, <c>::</c>), multicast, broadcast, and the box's own
/// addresses, so that nobody with the operator role makes the box fetch from its own services or its neighbours'
/// link-local ones. The check is made where the connection is made (<see cref="ConnectAsync"/>, the HTTP handler's
/// connect callback), on every address the name resolves to at that moment: a name that resolves to a public
/// address when a URL is checked and to 127.0.0.1 when it is fetched (DNS rebinding) is still refused.
/// </summary>
public sealed class FetchGuard(Func<MediaSettings> settings, Func<IReadOnlyCollection<IPAddress>>? ownAddresses = null)
{
    private readonly Func<IReadOnlyCollection<IPAddress>> _own = ownAddresses ?? BoxAddresses;

    /// <summary>Why the box may not connect to <paramref name="address"/>, or null when it may.</summary>
    public string? Refusal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (settings().Allows(address)) return null;
        var kind = KindOf(address) ?? (_own().Any(a => (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Equals(address)) ? "one of the box's own addresses" : null);
        return kind is null ? null : $"{address} is {kind} (media.fetch_allow in the site file allows it)";
    }

    private static string? KindOf(IPAddress a)
    {
        if (IPAddress.IsLoopback(a)) return "a loopback address";
        if (a.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            a.TryWriteBytes(b, out _);
            if (b[0] == 0) return "an unspecified address (0.0.0.0/8)";
            if (b[0] == 169 && b[1] == 254) return "a link-local address";
            if (b[0] >= 224 && b[0] <= 239) return "a multicast address";
            if (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255) return "the broadcast address";
            return null;
        }
        if (a.Equals(IPAddress.IPv6None) || a.Equals(IPAddress.IPv6Any)) return "the unspecified address";
        if (a.IsIPv6LinkLocal) return "a link-local address";
        if (a.IsIPv6Multicast) return "a multicast address";
        return null;
    }

    /// <summary>
    /// The connect callback of the downloads' HTTP handler: resolves the host, refuses the connection when any of its
    /// addresses is refused, else connects to them in turn.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellation)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await System.Net.Dns.GetHostAddressesAsync(endpoint.Host, cancellation).ConfigureAwait(false);
        if (addresses.Length == 0) throw new FetchRefusedException($"{endpoint.Host} resolves to no address");
        foreach (var address in addresses)
            if (Refusal(address) is { } why)
                throw new FetchRefusedException(addresses.Length == 1 || literal is not null
                    ? $"refused to connect to {endpoint.Host}: {why}"
                    : $"refused to connect to {endpoint.Host}, which resolves to {string.Join(", ", addresses.Select(x => x.ToString()))}: {why}");
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellation).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }

    /// <summary>Every address on the box's interfaces now (a DHCP lease or a VLAN may have added one since the start).</summary>
    private static IReadOnlyCollection<IPAddress> BoxAddresses()
    {
        var result = new List<IPAddress>();
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
                foreach (var u in nic.GetIPProperties().UnicastAddresses)
                    result.Add(u.Address);
        }
        catch (NetworkInformationException)
        {
            // Without the list, the kinds above still hold; loopback is the box's own address anyway.
        }
        return result;
    }
}

/// <summary>A connection the <see cref="FetchGuard"/> refused; its message is the sentence to report.</summary>
public sealed class FetchRefusedException(string message) : IOException(message);
