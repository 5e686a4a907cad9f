using System.Net;
using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace NetbootPi.Agent.Tests.Support;

/// <summary>
/// A client of the web console's terminal as a browser is one: logs in for a session cookie, opens the WebSocket
/// with the cookie and the page's Origin, types, and reads what the shell writes until some text comes. Trusts only
/// the agent's own certificate (given), or any when none is given (a lab VM's agent makes its own).
/// </summary>
internal sealed class TerminalClient(string baseUrl, X509Certificate2? certificate) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        UseCookies = false,
        SslOptions = { RemoteCertificateValidationCallback = (_, c, _, errors) => Trusted(certificate, c, errors) },
    }) { BaseAddress = new Uri(baseUrl) };

    private readonly StringBuilder _output = new();
    private ClientWebSocket? _socket;

    public string Cookie { get; private set; } = "";
    public string Csrf { get; private set; } = "";

    /// <summary>What the terminal wrote so far.</summary>
    public string Output => _output.ToString();

    /// <summary>The close frame's reason once the agent closed the terminal.</summary>
    public string? ClosedBecause => _socket?.CloseStatusDescription;

    public async Task LoginAsync(string name, string password, CancellationToken cancellation)
    {
        using var response = await _http.PostAsync("/api/v1/login",
            new StringContent(JsonSerializer.Serialize(new Dictionary<string, string> { ["name"] = name, ["password"] = password }), Encoding.UTF8, "application/json"), cancellation);
        var body = await response.Content.ReadAsStringAsync(cancellation);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"login as {name}: {(int)response.StatusCode} {body}");
        var setCookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("nbp_session=", StringComparison.Ordinal));
        Cookie = setCookie[..setCookie.IndexOf(';')];
        Csrf = JsonDocument.Parse(body).RootElement.GetProperty("csrf_token").GetString()!;
    }

    public async Task<HttpStatusCode> LogoutAsync(CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/logout");
        request.Headers.Add("Cookie", Cookie);
        request.Headers.Add("X-CSRF-Token", Csrf);
        using var response = await _http.SendAsync(request, cancellation);
        return response.StatusCode;
    }

    /// <summary>Opens the terminal's WebSocket; <paramref name="origin"/> defaults to the box's own.</summary>
    public async Task ConnectAsync(int columns, int rows, CancellationToken cancellation, string? origin = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Cookie", Cookie);
        socket.Options.SetRequestHeader("Origin", origin ?? baseUrl.TrimEnd('/'));
        socket.Options.RemoteCertificateValidationCallback = (_, c, _, errors) => Trusted(certificate, c, errors);
        _socket = socket;
        var url = new Uri(baseUrl.Replace("https://", "wss://", StringComparison.Ordinal).TrimEnd('/') + $"/api/v1/terminal?cols={columns}&rows={rows}");
        await socket.ConnectAsync(url, cancellation);
    }

    public Task TypeAsync(string text, CancellationToken cancellation) =>
        _socket!.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Binary, true, cancellation);

    public Task ResizeAsync(int columns, int rows, CancellationToken cancellation) =>
        _socket!.SendAsync(Encoding.UTF8.GetBytes($"{{\"cols\":{columns},\"rows\":{rows}}}"), WebSocketMessageType.Text, true, cancellation);

    /// <summary>Reads until the output holds <paramref name="text"/> (true), or the agent closed the terminal first (false); bounded by <paramref name="within"/>.</summary>
    public async Task<bool> ReadUntilAsync(string text, TimeSpan within, CancellationToken cancellation)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(within);
        var buffer = new byte[8192];
        var decoder = Encoding.UTF8.GetDecoder();
        var chars = new char[8192];
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            WebSocketReceiveResult message;
            try
            {
                message = await _socket!.ReceiveAsync(buffer, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                throw new TimeoutException($"the terminal did not write '{text}' within {within.TotalSeconds} s; it wrote: {Output}");
            }
            if (message.MessageType == WebSocketMessageType.Close)
            {
                if (_socket.State == WebSocketState.CloseReceived) await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cancellation);
                return Output.Contains(text, StringComparison.Ordinal);
            }
            var n = decoder.GetChars(buffer, 0, message.Count, chars, 0);
            _output.Append(chars, 0, n);
        }
        return true;
    }

    /// <summary>Closes the WebSocket from this side, as a browser leaving the page does, and waits for the agent's close.</summary>
    public Task CloseAsync(CancellationToken cancellation) => _socket!.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cancellation);

    /// <summary>Reads until the agent closes the terminal; its reason.</summary>
    public async Task<string> ReadUntilClosedAsync(TimeSpan within, CancellationToken cancellation)
    {
        Assert.False(await ReadUntilAsync("\u0000never\u0000", within, cancellation));
        return ClosedBecause ?? "";
    }

    private static bool Trusted(X509Certificate2? certificate, X509Certificate? presented, SslPolicyErrors errors) =>
        certificate is null || (presented is not null && presented.GetCertHash().AsSpan().SequenceEqual(certificate.GetCertHash()));

    public void Dispose()
    {
        _socket?.Dispose();
        _http.Dispose();
    }
}
