using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NetbootPi.Agent.Health;

namespace NetbootPi.Agent.Http;

/// <summary>
/// The HTTP boot service answers: at each health check the box asks itself (<c>HEAD /.netbootpi-probe</c> on
/// loopback or the listening address, answered 404 by the handler without a boot event) and the check fails once no
/// answer has come for <see cref="Limit"/>. Kestrel's accept loop is not ours to instrument the way the UDP loops
/// are; a request through the whole server (accept, parse, the handler, the thread pool) is the progress it proves.
/// </summary>
/// <remarks>
/// The probe runs beside the check, one at a time, each bounded by <see cref="ProbeTimeout"/>: a check never
/// waits for the network. The first check counts as an answer (the server was just started and said it listens).
/// </remarks>
public sealed class HttpAnswerCheck(BootHttpService server, TimeProvider time) : IHealthCheck
{
    /// <summary>Longer than two probes' timeouts, so one slow answer under load is not a restart.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(4);

    private readonly object _gate = new();
    private DateTimeOffset? _lastAnswer;
    private string? _lastFailure;
    private Task? _probe;

    public string? Problem()
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            _lastAnswer ??= now;
            if (_probe is null || _probe.IsCompleted) _probe = Task.Run(ProbeAsync);
            var silent = now - _lastAnswer.Value;
            if (silent <= Limit) return null;
            return string.Create(CultureInfo.InvariantCulture,
                $"the HTTP server has not answered the box's own request for {silent.TotalSeconds:0} s (at most {Limit.TotalSeconds:0} s){(_lastFailure is null ? "" : $": {_lastFailure}")}");
        }
    }

    private async Task ProbeAsync()
    {
        string? failure;
        try
        {
            failure = await AskAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            failure = e is OperationCanceledException ? $"no answer within {ProbeTimeout.TotalSeconds:0} s" : e.Message;
        }
        lock (_gate)
        {
            if (failure is null) _lastAnswer = time.GetUtcNow();
            _lastFailure = failure;
        }
    }

    /// <summary>One request; null when a status line came back.</summary>
    private async Task<string?> AskAsync()
    {
        if (Target() is not { } endpoint) return "the HTTP server is not listening";
        using var timeout = new CancellationTokenSource(ProbeTimeout);
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
        var request = Encoding.ASCII.GetBytes($"HEAD /.netbootpi-probe HTTP/1.1\r\nHost: {endpoint}\r\nConnection: close\r\n\r\n");
        await socket.SendAsync(request, SocketFlags.None, timeout.Token).ConfigureAwait(false);
        var buffer = new byte[64];
        var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
        return read >= 12 && Encoding.ASCII.GetString(buffer, 0, 5) == "HTTP/" ? null : "the answer was not HTTP";
    }

    /// <summary>Where the server listens, an unspecified address asked on loopback.</summary>
    private IPEndPoint? Target()
    {
        foreach (var address in server.Addresses)
        {
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri)) continue;
            var host = uri.Host.Trim('[', ']');
            if (!IPAddress.TryParse(host, out var ip)) continue;
            if (ip.Equals(IPAddress.Any)) ip = IPAddress.Loopback;
            else if (ip.Equals(IPAddress.IPv6Any)) ip = IPAddress.IPv6Loopback;
            return new IPEndPoint(ip, uri.Port);
        }
        return null;
    }
}
