using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Os.Network;

namespace NetbootPi.Agent.Cli.Remote;

/// <summary>
/// The CLI's side of the control API: HTTP over the unix socket, or HTTPS to a remote box's network API with a token
/// (<c>--url</c>, <c>--token</c>), one request per command. What goes wrong is said as a
/// <see cref="ControlClientException"/> in words a user can act on (no agent there, no permission, a certificate not
/// trusted, refused and why).
/// </summary>
internal sealed class ControlClient : IDisposable
{
    private readonly string _where;
    private readonly string? _socketPath;
    private readonly RemoteTrust? _trust;
    private readonly HttpClient _http;

    /// <summary>A client on the control socket <paramref name="socketPath"/>.</summary>
    public ControlClient(string socketPath)
    {
        _socketPath = socketPath;
        _where = $"on {socketPath}";
        var handler = UnixSocketHttp.Handler(socketPath);
        // Some requests (a reload of a large site, later an apply that waits for networkd) take a while.
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://netbootpi/"), Timeout = TimeSpan.FromMinutes(5) };
    }

    /// <summary>A client of the network API at <paramref name="url"/> (https), sending <paramref name="token"/>, checking the certificate by <paramref name="trust"/>.</summary>
    public ControlClient(Uri url, string token, RemoteTrust trust)
    {
        _trust = trust;
        _where = $"at {url.GetLeftPart(UriPartial.Authority)}";
        var host = url.Authority;
        var handler = new SocketsHttpHandler
        {
            // A proxy from the environment would see nothing (TLS), but the box is on the management network: straight there.
            UseProxy = false,
            ConnectTimeout = TimeSpan.FromSeconds(15),
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, errors) => trust.Check(host, certificate, errors) },
        };
        var path = url.AbsolutePath.EndsWith('/') ? url.AbsolutePath : url.AbsolutePath + "/";
        _http = new HttpClient(handler) { BaseAddress = new Uri(url, path), Timeout = TimeSpan.FromMinutes(5) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>
    /// Sends a request and returns the status and the body as it came (for <c>--json</c>) with its parsed value.
    /// A refusal (any status but 2xx and those in <paramref name="alsoParse"/>) throws with the agent's reason.
    /// </summary>
    public Task<(int Status, string Body, T Value)> SendAsync<T>(HttpMethod method, string path, JsonTypeInfo<T> type,
        CancellationToken cancellation, params int[] alsoParse) =>
        SendAsync(new HttpRequestMessage(method, path.TrimStart('/')), type, cancellation, alsoParse);

    /// <summary>As <see cref="SendAsync{T}(HttpMethod, string, JsonTypeInfo{T}, CancellationToken, int[])"/>, with a JSON body.</summary>
    public Task<(int Status, string Body, T Value)> SendAsync<TRequest, T>(HttpMethod method, string path, TRequest body, JsonTypeInfo<TRequest> bodyType,
        JsonTypeInfo<T> type, CancellationToken cancellation, params int[] alsoParse)
    {
        var request = new HttpRequestMessage(method, path.TrimStart('/'))
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, bodyType)) { Headers = { ContentType = new("application/json") } },
        };
        return SendAsync(request, type, cancellation, alsoParse);
    }

    /// <summary>As <see cref="SendAsync{T}(HttpMethod, string, JsonTypeInfo{T}, CancellationToken, int[])"/>, with a body that is not JSON (a site file's text).</summary>
    public Task<(int Status, string Body, T Value)> SendAsync<T>(HttpMethod method, string path, byte[] body, string mediaType,
        JsonTypeInfo<T> type, CancellationToken cancellation, params int[] alsoParse) =>
        SendAsync(method, path, new ByteArrayContent(body) { Headers = { ContentType = new(mediaType) } }, type, cancellation, alsoParse);

    /// <summary>
    /// As <see cref="SendAsync{T}(HttpMethod, string, JsonTypeInfo{T}, CancellationToken, int[])"/>, with
    /// <paramref name="content"/> as the body as it is (an image's bytes, streamed from its file).
    /// </summary>
    public Task<(int Status, string Body, T Value)> SendAsync<T>(HttpMethod method, string path, HttpContent content, JsonTypeInfo<T> type,
        CancellationToken cancellation, params int[] alsoParse) =>
        SendAsync(new HttpRequestMessage(method, path.TrimStart('/')) { Content = content }, type, cancellation, alsoParse);

    /// <summary>How long a request may take (5 minutes unless set before the first request): an upload of a large image takes longer.</summary>
    public TimeSpan Timeout
    {
        get => _http.Timeout;
        set => _http.Timeout = value;
    }

    private async Task<(int Status, string Body, T Value)> SendAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> type,
        CancellationToken cancellation, int[] alsoParse)
    {
        var method = request.Method;
        var path = "/" + request.RequestUri!.OriginalString;
        var response = await SendRawAsync(request, HttpCompletionOption.ResponseContentRead, cancellation).ConfigureAwait(false);
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode || alsoParse.Contains(status))
            {
                if (Parse(body, type) is { } value) return (status, body, value);
                throw new ControlClientException($"the agent {_where} answered {method} {path} with a body this CLI cannot read (a different version?)");
            }
            var reason = Parse(body, ControlJson.Default.ErrorReply)?.Error ?? $"HTTP {status}";
            throw new ControlClientException($"the agent refused: {reason}");
        }
    }

    /// <summary>GETs a reply that is not JSON (a JPEG) and returns its bytes; a refusal throws with the agent's reason.</summary>
    public async Task<byte[]> GetBytesAsync(string path, CancellationToken cancellation)
    {
        using var response = await SendRawAsync(new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/')), HttpCompletionOption.ResponseContentRead, cancellation)
            .ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellation).ConfigureAwait(false);
        if (response.IsSuccessStatusCode) return bytes;
        var reason = Parse(System.Text.Encoding.UTF8.GetString(bytes), ControlJson.Default.ErrorReply)?.Error ?? $"HTTP {(int)response.StatusCode}";
        throw new ControlClientException($"the agent refused: {reason}");
    }

    /// <summary>
    /// Reads a stream of server-sent events (<c>GET /api/v1/events/stream</c>), handing each <c>data:</c> line's
    /// payload to <paramref name="onData"/> until the agent ends it or <paramref name="cancellation"/> fires.
    /// <paramref name="onOpen"/> runs once the agent has answered, before the first line: from then on nothing recorded is missed.
    /// </summary>
    public async Task StreamAsync(string path, Func<ValueTask> onOpen, Func<string, ValueTask> onData, CancellationToken cancellation)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
        using var response = await SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
            throw new ControlClientException($"the agent refused: {Parse(body, ControlJson.Default.ErrorReply)?.Error ?? $"HTTP {(int)response.StatusCode}"}");
        }
        await onOpen().ConfigureAwait(false);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellation).ConfigureAwait(false));
        try
        {
            while (await reader.ReadLineAsync(cancellation).ConfigureAwait(false) is { } line)
                if (line.StartsWith("data: ", StringComparison.Ordinal)) await onData(line["data: ".Length..]).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new ControlClientException($"the agent {_where} ended the stream: {e.Message}");
        }
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellation)
    {
        try
        {
            using (request) return await _http.SendAsync(request, completion, cancellation).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (_socketPath is null)
        {
            throw new ControlClientException(RemoteFailure(e));
        }
        catch (TaskCanceledException e) when (_socketPath is null && !cancellation.IsCancellationRequested)
        {
            throw new ControlClientException($"no answer from the agent {_where} within {_http.Timeout.TotalMinutes:0} minutes: {e.Message}");
        }
        catch (HttpRequestException e) when (Find<SocketException>(e) is { } socket)
        {
            // The runtime reports a missing socket file (ENOENT) as AddressNotAvailable.
            throw new ControlClientException(socket.SocketErrorCode switch
            {
                SocketError.AddressNotAvailable or SocketError.ConnectionRefused => $"no agent is listening on {_socketPath} (is it running? systemctl status netbootpi; --socket PATH names another)",
                SocketError.AccessDenied => $"permission denied on {_socketPath}: run this as root, or as a member of the group the agent gives its socket (netbootpi)",
                _ => $"cannot reach the agent on {_socketPath}: {socket.Message}",
            });
        }
    }

    private string RemoteFailure(HttpRequestException e)
    {
        if (Find<AuthenticationException>(e) is not null)
            return $"TLS to the agent {_where} failed: {_trust?.Refusal ?? Find<AuthenticationException>(e)!.Message}";
        if (Find<SocketException>(e) is { } socket)
            return socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => $"nothing answers {_where} (is the agent running with --network-api, and is this its management address and server.api_port?)",
                SocketError.TimedOut or SocketError.HostUnreachable or SocketError.NetworkUnreachable => $"cannot reach {_where}: {socket.Message}",
                SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => $"cannot resolve the host in {_where}: {socket.Message}",
                _ => $"cannot reach the agent {_where}: {socket.Message}",
            };
        return $"cannot talk to the agent {_where}: {e.Message}";
    }

    private static T? Parse<T>(string body, JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(body, type);
        }
        catch (JsonException)
        {
            // Not this contract (another version, or no JSON at all): the caller says so in a sentence.
            return default;
        }
    }

    private static TException? Find<TException>(Exception? e) where TException : Exception
    {
        for (; e is not null; e = e.InnerException)
            if (e is TException t) return t;
        return null;
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A control request that could not be made or was refused; its message is the sentence to print.</summary>
internal sealed class ControlClientException(string message) : Exception(message);
