namespace NetbootPi.Agent.Upstream;

/// <summary>The HTTP client the box fetches mirror artifacts with.</summary>
public static class UpstreamHttp
{
    /// <summary>
    /// Connecting is bounded (a dead uplink fails fast, and the request that waits gets a 502); the transfer
    /// itself is not, since a 300 MB modloop over a slow uplink takes as long as it takes.
    /// </summary>
    public static HttpClient CreateClient() => new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(15),
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };
}
