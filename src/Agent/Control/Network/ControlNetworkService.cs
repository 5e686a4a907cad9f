using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Control.Accounts;
using NetbootPi.Agent.Os;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Control.Network;

/// <summary>
/// The control API over the network: HTTPS on the management network's address (<c>server.api_port</c>), and plain
/// HTTP there (<c>server.api_http_port</c>) that only redirects. The same routes as the socket, through the same
/// router; callers prove who they are with an API token (<c>Authorization: Bearer nbp_...</c>) or a session cookie
/// from <c>POST /api/v1/login</c>, which must send its anti-CSRF token with every change. Without either, every
/// endpoint but the login and the health probe answers 401.
/// </summary>
public sealed partial class ControlNetworkService(
    ControlRouter router, SiteState state, AccountStore store, SessionStore sessions, PasswordLogins logins, ApiEndpointInfo info, IAtomicFiles files,
    TimeProvider time, ILoggerFactory loggerFactory, ILogger<ControlNetworkService> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;
    private int _httpsPort;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var site = state.Current;
        if (site.Management is not { BoxAddress: { } managementAddress } management)
        {
            LogOff();
            return;
        }
        ControlRegistration.LoadAccounts(store);
        var address = managementAddress.ToIPAddress();
        var server = site.Server;
        var names = BoxNames(site);
        X509Certificate2 certificate;
        bool created;
        try
        {
            (certificate, created) = ApiCertificate.LoadOrCreate(server.StateDirectory, server.ApiCertificate, server.ApiKey, names, [address], files, time);
        }
        catch (ApiCertificateException e)
        {
            throw new ServiceStartException($"the control API does not start: {e.Message}", e);
        }
        var fingerprint = ApiCertificate.Fingerprint(certificate);
        if (created) LogCertificateMade(Path.Combine(server.StateDirectory, ApiCertificate.CertificateFile), string.Join(", ", names), address.ToString(), fingerprint);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "netbootpi" });
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        builder.WebHost.UseKestrelCore();
        // IP_FREEBIND: at boot networkd may not have put the management address up yet when the agent starts; the
        // API listens on it anyway and answers as soon as it is there, instead of failing the start.
        builder.WebHost.UseSockets(o => o.CreateBoundListenSocket = BindFree);
        builder.WebHost.ConfigureKestrel(o =>
        {
            o.AddServerHeader = false;
            // Above what ControlBody reads, so that a long body is its located 400 and not Kestrel's exception mid-read.
            o.Limits.MaxRequestBodySize = 2 * ControlBody.MaxBytes;
            o.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            // Per client address, before TLS: a slow-loris client holds its own sockets, not the API's.
            var cap = new ConnectionCap("control API", ConnectionCap.DefaultPerAddress, logger);
            o.Listen(address, server.ApiPort, l =>
            {
                cap.Use(l);
                l.UseHttps(certificate);
            });
            if (server.ApiHttpPort is { } redirect) o.Listen(address, redirect, cap.Use);
        });
        _app = builder.Build();
        _httpsPort = server.ApiPort;
        // The web console's terminal is a WebSocket (HTTP/1.1's Upgrade, or HTTP/2's extended CONNECT).
        _app.UseWebSockets();
        _app.Run(HandleAsync);
        try
        {
            await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            throw new ServiceStartException(
                $"the control API cannot listen on {address} port {server.ApiPort}{(server.ApiHttpPort is { } r ? $" and {r}" : "")} (network {management.Name}, server.api_port and server.api_http_port): {(e.InnerException ?? e).Message}", e);
        }
        var url = $"https://{address}{(server.ApiPort == 443 ? "" : $":{server.ApiPort}")}/";
        info.Set(new ApiEndpointInfo.Listening(url, fingerprint));
        LogListening(url, server.ApiHttpPort is { } http ? $"HTTP on port {http} redirects" : "no HTTP redirect: api_http_port is http_port", fingerprint, store.Users.Count, store.Tokens.Count(t => !t.IsRevoked));
    }

    /// <summary>The names the box answers to: its host name, and <c>NAME.DOMAIN</c> when the site serves DNS.</summary>
    private static List<string> BoxNames(SiteInventory site)
    {
        var names = new List<string>();
        var host = Environment.MachineName.ToLowerInvariant();
        if (host.Length > 0) names.Add(host);
        if (site.Dns is { } dns && site.Site.Domain is { } domain) names.Add($"{dns.ServerName}.{domain}");
        if (!names.Contains("localhost")) names.Add("localhost");
        return [.. names.Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    private Task HandleAsync(HttpContext context)
    {
        if (context.Connection.LocalPort != _httpsPort || !context.Request.IsHttps) return RedirectAsync(context);
        // Nothing the API says is for a cache: a token is in one answer, and the others are as of now.
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        // A WebSocket over HTTP/2 (RFC 8441, chromium's choice when Kestrel offers it) opens with CONNECT and
        // :protocol websocket where HTTP/1.1 sends GET and Upgrade: the same request to the router, which routes GET.
        if (context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true, Protocol: "websocket" }) context.Request.Method = HttpMethods.Get;
        return router.DispatchAsync(context, network: true, AuthenticateAsync);
    }

    private Task RedirectAsync(HttpContext context)
    {
        // To the address the request came to (never a Host: header's name, which would make this an open redirect).
        var local = context.Connection.LocalIpAddress!;
        var host = local.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{local}]" : local.ToString();
        var target = $"https://{host}{(_httpsPort == 443 ? "" : $":{_httpsPort}")}{context.Request.Path}{context.Request.QueryString}";
        context.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
        context.Response.Headers.Location = target;
        return Task.CompletedTask;
    }

    private async ValueTask<ControlCaller?> AuthenticateAsync(HttpContext context, ControlRoute route)
    {
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (route.Role == ControlRole.Anyone) return ControlCaller.Anonymous(address);
        if (route.Credentials is { } own) return await own(context, route).ConfigureAwait(false);
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            return await BasicAsync(context, route, address, authorization[6..].Trim()).ConfigureAwait(false);
        if (authorization.Length > 0)
        {
            if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) || store.UseToken(authorization[7..].Trim()) is not { } token)
                return await Unauthorized(context, route, address, "the token is not one the box knows, or it was revoked").ConfigureAwait(false);
            return ControlCaller.Of(token, address);
        }
        // A Redfish session's token comes in a header a browser never adds by itself: no CSRF token is needed with it.
        var header = context.Request.Headers[AuthTokenHeader].ToString();
        var cookie = context.Request.Cookies[SessionEndpoints.CookieName];
        if (header.Length > 0 || cookie is { Length: > 0 })
        {
            var secret = header.Length > 0 ? header : cookie!;
            if (sessions.Find(secret) is not { } session)
                return await Unauthorized(context, route, address, "the session ended (idle too long, too old, or logged out); log in again").ConfigureAwait(false);
            if (store.FindUser(session.User) is not { Locked: false } user)
            {
                sessions.Remove(secret);
                return await Unauthorized(context, route, address, "the session's user was removed or locked").ConfigureAwait(false);
            }
            var caller = new ControlCaller($"user {user.Name}", $"from {address}", user.Role) { Session = session };
            if (header.Length > 0) return caller;
            if (route.Changes && !CsrfMatches(context.Request.Headers[SessionEndpoints.CsrfHeader].ToString(), session.Csrf))
            {
                LogCsrf(user.Name, address, route.Method, route.Path);
                await ControlRouter.ReplyAsync(context, StatusCodes.Status403Forbidden,
                    $"{route.Method} {route.Path} changes something: a session must send its csrf_token (from the login's answer) in {SessionEndpoints.CsrfHeader}").ConfigureAwait(false);
                return null;
            }
            return caller;
        }
        return await Unauthorized(context, route, address,
            store.Users.Count == 0 && store.Tokens.Count == 0
                ? "no credentials, and the box has no accounts yet: an admin is made on the box itself (netbootpi user add NAME --role admin, or netbootpi token create)"
                : "no credentials: send Authorization: Bearer TOKEN, or log in (POST /api/v1/login) and send the session cookie").ConfigureAwait(false);
    }

    /// <summary>The header a Redfish session's token travels in (DMTF DSP0266 §13.3).</summary>
    public const string AuthTokenHeader = "X-Auth-Token";

    /// <summary>
    /// HTTP Basic (RFC 7617), which Redfish and kvmd clients send: a user's password, with the TOTP code of the moment
    /// appended when the user has TOTP (a code is good once, so such a client should open a session instead), or an
    /// API token in place of the password. Limited and locked out as every login is; the same password again within a
    /// few minutes passes without a new hash (<see cref="PasswordLogins.CheckEachRequestAsync"/>).
    /// </summary>
    private async ValueTask<ControlCaller?> BasicAsync(HttpContext context, ControlRoute route, string address, string encoded)
    {
        if (!BasicCredentials.TryDecode(encoded, out var name, out var password))
            return await Unauthorized(context, route, address, BasicCredentials.NotDecodable).ConfigureAwait(false);
        if (password.StartsWith(AccountStore.TokenPrefix, StringComparison.Ordinal) && store.UseToken(password) is { } token) return ControlCaller.Of(token, address);
        var outcome = await logins.CheckEachRequestAsync(name, password, address, context.RequestAborted).ConfigureAwait(false);
        if (outcome.User is { } user) return new ControlCaller($"user {user.Name}", $"from {address} (basic)", user.Role) { User = user.Name };
        if (outcome.Status == StatusCodes.Status401Unauthorized) return await Unauthorized(context, route, address, outcome.Why).ConfigureAwait(false);
        if (outcome.RetryAfterSeconds > 0) context.Response.Headers.RetryAfter = outcome.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await ControlRouter.RefuseAsync(context, route, outcome.Status, outcome.Why).ConfigureAwait(false);
        return null;
    }

    private static bool CsrfMatches(string sent, string expected) =>
        sent.Length == expected.Length && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(sent), Encoding.ASCII.GetBytes(expected));

    private async Task<ControlCaller?> Unauthorized(HttpContext context, ControlRoute route, string address, string why)
    {
        LogUnauthorized(address, route.Method, route.Path);
        // A browser asking for a page is sent to the login page instead (it has no use for a bearer challenge).
        if (!route.IsPage) context.Response.Headers.WWWAuthenticate = route.Challenge;
        await ControlRouter.RefuseAsync(context, route, StatusCodes.Status401Unauthorized, why).ConfigureAwait(false);
        return null;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        info.Set(null);
        if (_app is not null) await _app.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static Socket BindFree(EndPoint endpoint)
    {
        if (endpoint is not IPEndPoint ip) return SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            FreeBind.Allow(socket);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(ip);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    [LoggerMessage(EventId = 610, Level = LogLevel.Information, Message = "control API listening on {Url} ({Redirect}), certificate SHA-256 {Fingerprint}; {Users} users, {Tokens} tokens")]
    private partial void LogListening(string url, string redirect, string fingerprint, int users, int tokens);

    [LoggerMessage(EventId = 611, Level = LogLevel.Information, Message = "control API over the network: off (the site has no management network the box has an address on)")]
    private partial void LogOff();

    [LoggerMessage(EventId = 612, Level = LogLevel.Warning, Message = "control API: made a new certificate {Path} for {Names} and {Address}, SHA-256 {Fingerprint}")]
    private partial void LogCertificateMade(string path, string names, string address, string fingerprint);

    [LoggerMessage(EventId = 613, Level = LogLevel.Information, Message = "control: unauthenticated {Method} {Path} from {Address} refused")]
    private partial void LogUnauthorized(string address, string method, string path);

    [LoggerMessage(EventId = 614, Level = LogLevel.Warning, Message = "control: user {User} from {Address}: {Method} {Path} without the session's anti-CSRF token refused")]
    private partial void LogCsrf(string user, string address, string method, string path);
}
