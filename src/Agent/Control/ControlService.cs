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

    private readonly ControlRouter _router;
    private readonly ControlAccess _access;
    private readonly ILoggerFactory _loggerFactory;
    private readonly string _socketPath;
    private readonly ILogger<ControlService> _logger;
    private readonly Action? _beforeStart;
    private WebApplication? _app;
    private bool _bound;

    /// <param name="beforeStart">Runs first at start and may refuse it (<see cref="ServiceStartException"/>): the accounts file is read there.</param>
    public ControlService(ControlRouter router, ControlAccess access, ILoggerFactory loggerFactory,
        string socketPath, ILogger<ControlService> logger, Action? beforeStart = null)
    {
        _router = router;
        _access = access;
        _loggerFactory = loggerFactory;
        _socketPath = socketPath;
        _logger = logger;
        _beforeStart = beforeStart;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _beforeStart?.Invoke();
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

    private Task HandleAsync(HttpContext context) => _router.DispatchAsync(context, network: false, AuthenticateAsync);

    private async ValueTask<ControlCaller?> AuthenticateAsync(HttpContext context, ControlRoute route)
    {
        if (context.Features.Get<IConnectionSocketFeature>()?.Socket is not { } socket || PeerCredentials.Of(socket) is not { } peer)
        {
            await ReplyAsync(context, StatusCodes.Status403Forbidden, "the caller's credentials could not be read").ConfigureAwait(false);
            return null;
        }
        if (_access.RoleOf(peer) is not { } role)
        {
            LogRefused(peer.Uid, peer.Pid, route.Method, route.Path, "no role");
            await ReplyAsync(context, StatusCodes.Status403Forbidden, _access.Refusal(peer)).ConfigureAwait(false);
            return null;
        }
        return ControlCaller.Of(peer, role);
    }

    /// <summary>Writes <paramref name="value"/> as the response body with its source-generated contract.</summary>
    public static Task WriteAsync<T>(HttpContext context, int status, T value, JsonTypeInfo<T> type) =>
        ControlRouter.WriteAsync(context, status, value, type);

    internal static Task ReplyAsync(HttpContext context, int status, string error) => ControlRouter.ReplyAsync(context, status, error);

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

    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "control socket listening on {Path} for {Who}")]
    private partial void LogListening(string path, string who);

    [LoggerMessage(EventId = 605, Level = LogLevel.Warning, Message = "control: uid {Uid} (pid {Pid}) refused {Method} {Path} ({Role})")]
    private partial void LogRefused(uint uid, int pid, string method, string path, string role);
}
