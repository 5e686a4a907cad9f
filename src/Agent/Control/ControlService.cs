using System.Net.Sockets;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Os;
using NetbootPi.Agent.Os.Users;

namespace NetbootPi.Agent.Control;

/// <summary>
/// The control API on a unix socket, for the CLI and for scripts on the box (over SSH). The socket is mode 0660,
/// group <see cref="ControlAccess.Group"/>: others cannot connect at all. Each request's caller is known from the
/// kernel (SO_PEERCRED) and must hold the route's role; every change is logged with the caller's uid.
/// </summary>
public sealed partial class ControlService : IHostedService, IAsyncDisposable
{
    private const int MaxBodyBytes = 8 << 20;

    private readonly Dictionary<string, List<ControlRoute>> _byPath = new(StringComparer.Ordinal);
    private readonly ControlAccess _access;
    private readonly ILoggerFactory _loggerFactory;
    private readonly string _socketPath;
    private readonly ILogger<ControlService> _logger;
    private WebApplication? _app;
    private bool _bound;

    public ControlService(IEnumerable<IControlEndpoints> endpoints, ControlAccess access, ILoggerFactory loggerFactory,
        string socketPath, ILogger<ControlService> logger)
    {
        _access = access;
        _loggerFactory = loggerFactory;
        _socketPath = socketPath;
        _logger = logger;
        foreach (var route in endpoints.SelectMany(e => e.Routes))
        {
            if (!_byPath.TryGetValue(route.Path, out var list)) _byPath[route.Path] = list = [];
            if (list.Any(r => r.Method == route.Method))
                throw new InvalidOperationException($"two control endpoints for {route.Method} {route.Path}");
            list.Add(route);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        PrepareSocketPath();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "netbootpi" });
        builder.Services.AddSingleton(_loggerFactory);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        builder.WebHost.UseKestrelCore();
        builder.WebHost.UseSockets();
        builder.WebHost.ConfigureKestrel(o =>
        {
            o.AddServerHeader = false;
            o.Limits.MaxRequestBodySize = MaxBodyBytes;
            o.ListenUnixSocket(_socketPath);
        });
        _app = builder.Build();
        _app.Run(HandleAsync);
        try
        {
            await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or UnauthorizedAccessException)
        {
            throw new ServiceStartException($"the control socket cannot listen on {_socketPath}: {(e.InnerException ?? e).Message}", e);
        }
        _bound = true;
        // Kestrel made the socket with the process's umask; only root and the control group may connect.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(_socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        var gid = _access.GroupId;
        if (gid is { } g) UnixOwnership.SetGroup(_socketPath, g);
        LogListening(_socketPath, gid is null ? $"root only (there is no group '{_access.Group}')" : $"root and group '{_access.Group}'");
    }

    private void PrepareSocketPath()
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(_socketPath))!;
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ServiceStartException($"the control socket's folder {dir} cannot be made: {e.Message}", e);
        }
        if (!File.Exists(_socketPath)) return;
        // A socket left by an agent that was killed answers nobody and may go; one that answers is another agent's.
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(_socketPath));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            File.Delete(_socketPath);
            return;
        }
        catch (SocketException e)
        {
            throw new ServiceStartException($"the control socket {_socketPath} exists and cannot be checked: {e.Message}", e);
        }
        throw new ServiceStartException(
            $"another agent answers on the control socket {_socketPath}: stop it (systemctl stop netbootpi), or give this one --control-socket PATH");
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        if (!_byPath.TryGetValue(path, out var routes))
        {
            await ReplyAsync(context, StatusCodes.Status404NotFound, $"no such endpoint: {path}").ConfigureAwait(false);
            return;
        }
        if (routes.FirstOrDefault(r => r.Method == request.Method) is not { } route)
        {
            context.Response.Headers.Allow = string.Join(", ", routes.Select(r => r.Method));
            await ReplyAsync(context, StatusCodes.Status405MethodNotAllowed,
                $"{path} takes {string.Join(" or ", routes.Select(r => r.Method))}, not {request.Method}").ConfigureAwait(false);
            return;
        }
        if (context.Features.Get<IConnectionSocketFeature>()?.Socket is not { } socket || PeerCredentials.Of(socket) is not { } peer)
        {
            await ReplyAsync(context, StatusCodes.Status403Forbidden, "the caller's credentials could not be read").ConfigureAwait(false);
            return;
        }
        if (_access.RoleOf(peer) is not { } role)
        {
            LogRefused(peer.Uid, peer.Pid, route.Method, path, "no role");
            await ReplyAsync(context, StatusCodes.Status403Forbidden, _access.Refusal(peer)).ConfigureAwait(false);
            return;
        }
        if (role < route.Role)
        {
            LogRefused(peer.Uid, peer.Pid, route.Method, path, Name(role));
            await ReplyAsync(context, StatusCodes.Status403Forbidden,
                $"{route.Method} {path} needs the {Name(route.Role)} role; {peer} has the {Name(role)} role").ConfigureAwait(false);
            return;
        }
        var caller = new ControlCaller(peer, role);
        if (route.Changes) LogChange(peer.Uid, peer.Pid, Name(role), route.Method, path);
        try
        {
            await route.Handler(context, caller).ConfigureAwait(false);
            if (route.Changes) LogChanged(peer.Uid, route.Method, path, context.Response.StatusCode);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(e, peer.Uid, route.Method, path);
            if (!context.Response.HasStarted)
                await ReplyAsync(context, StatusCodes.Status500InternalServerError, $"internal error: {e.GetType().Name}: {e.Message}").ConfigureAwait(false);
        }
    }

    /// <summary>Writes <paramref name="value"/> as the response body with its source-generated contract.</summary>
    public static Task WriteAsync<T>(HttpContext context, int status, T value, JsonTypeInfo<T> type)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return System.Text.Json.JsonSerializer.SerializeAsync(context.Response.Body, value, type, context.RequestAborted);
    }

    internal static Task ReplyAsync(HttpContext context, int status, string error) =>
        WriteAsync(context, status, new ErrorReply(error), ControlJson.Default.ErrorReply);

    private static string Name(ControlRole role) => role.ToString().ToLowerInvariant();

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null) await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        // Kestrel leaves the socket file behind; a later start would have to tell it from a live agent's.
        if (_bound)
        {
            try { File.Delete(_socketPath); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            _bound = false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "control socket listening on {Path} for {Who}")]
    private partial void LogListening(string path, string who);

    [LoggerMessage(EventId = 601, Level = LogLevel.Information, Message = "control: uid {Uid} (pid {Pid}, {Role}) asks {Method} {Path}")]
    private partial void LogChange(uint uid, int pid, string role, string method, string path);

    [LoggerMessage(EventId = 602, Level = LogLevel.Information, Message = "control: uid {Uid}'s {Method} {Path} ended with {Status}")]
    private partial void LogChanged(uint uid, string method, string path, int status);

    [LoggerMessage(EventId = 603, Level = LogLevel.Warning, Message = "control: uid {Uid} (pid {Pid}) refused {Method} {Path} ({Role})")]
    private partial void LogRefused(uint uid, int pid, string method, string path, string role);

    [LoggerMessage(EventId = 604, Level = LogLevel.Error, Message = "control: uid {Uid}'s {Method} {Path} failed")]
    private partial void LogFailed(Exception e, uint uid, string method, string path);
}
