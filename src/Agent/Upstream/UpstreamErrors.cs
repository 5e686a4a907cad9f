using System.Net.Http;
using System.Net.Sockets;
using NetbootPi.Agent.Os.Files;

namespace NetbootPi.Agent.Upstream;

/// <summary>
/// Why a mirror fetch failed, in words of our own: the shipped build has no runtime message texts, so an
/// HttpRequestException's message would be a resource key.
/// </summary>
internal static class UpstreamErrors
{
    public static string Describe(Exception error, string path) => error switch
    {
        HttpRequestException http => http.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "the mirror's name does not resolve (check site.upstream_dns and the box's uplink)",
            HttpRequestError.ConnectionError => $"cannot connect to the mirror{Socket(http)} (check the box's uplink and the mirror URL)",
            HttpRequestError.SecureConnectionError => "the TLS connection to the mirror failed (its certificate, or the box's clock)",
            HttpRequestError.ResponseEnded => "the mirror closed the connection before the end of its answer",
            HttpRequestError.ProxyTunnelError => "the proxy refused the connection to the mirror",
            _ => $"the request to the mirror failed ({http.HttpRequestError}{Socket(http)})",
        },
        OperationCanceledException => "the fetch was stopped (the agent is stopping, or it took too long)",
        _ => $"cannot write the cache: {FileErrors.Describe(error, path)}",
    };

    private static string Socket(Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
            if (inner is SocketException s) return $": {s.Message}";
        return "";
    }
}
