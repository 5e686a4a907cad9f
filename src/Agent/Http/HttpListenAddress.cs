using System.Globalization;
using System.Net;

namespace NetbootPi.Agent.Http;

/// <summary>
/// An explicit listen address for the boot HTTP service (<c>netbootpi run --http-listen ADDR:PORT</c>),
/// overriding <c>server.http_port</c> on all addresses; port 0 picks a free port (tests).
/// </summary>
public sealed record HttpListenAddress(IPEndPoint EndPoint)
{
    public static bool TryParse(string text, out HttpListenAddress? listen)
    {
        listen = null;
        var colon = text.LastIndexOf(':');
        if (colon <= 0) return false;
        if (!IPAddress.TryParse(text.AsSpan(0, colon).Trim("[]"), out var address)) return false;
        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            return false;
        listen = new HttpListenAddress(new IPEndPoint(address, port));
        return true;
    }
}
