using System.Net;
using Microsoft.Extensions.Logging;
using NetbootPi.Protocols.Net;
using NetbootPi.Protocols.Tftp;

// tftphost ADDRESS PORT ROOT [--mtu N] [--fragment] [--max-transfers N] [--verbose]
// Serves ROOT until SIGTERM or SIGINT; prints "listening PORT" once bound so that scripts can use port 0.
if (args.Length < 3 || !Ipv4Address.TryParse(args[0], out var address) || !int.TryParse(args[1], out var port))
{
    Console.Error.WriteLine("usage: tftphost ADDRESS PORT ROOT [--mtu N] [--fragment] [--max-transfers N] [--verbose]");
    return 2;
}
var mtu = 1500;
var fragment = false;
var maxTransfers = 64;
var verbose = false;
for (var i = 3; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--mtu" when i + 1 < args.Length: mtu = int.Parse(args[++i]); break;
        case "--fragment": fragment = true; break;
        case "--max-transfers" when i + 1 < args.Length: maxTransfers = int.Parse(args[++i]); break;
        case "--verbose": verbose = true; break;
        default:
            Console.Error.WriteLine($"tftphost: unknown argument {args[i]}");
            return 2;
    }
}

var options = new TftpServerOptions
{
    EndPoint = new IPEndPoint(address.ToIPAddress(), port),
    Mtu = mtu,
    AllowFragmentation = fragment,
    MaxTransfers = maxTransfers,
};
var logger = new ConsoleLogger(verbose ? LogLevel.Debug : LogLevel.Information);
await using var server = new TftpServer(options, new TftpRootFileProvider(args[2]), logger);
server.Start();
Console.WriteLine($"listening {server.LocalEndPoint.Port}");
var stop = new TaskCompletionSource();
void OnSignal(System.Runtime.InteropServices.PosixSignalContext c)
{
    c.Cancel = true;
    stop.TrySetResult();
}
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, OnSignal);
using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, OnSignal);
await stop.Task;
return 0;

/// <summary>One line per log entry on stderr; enough for a bench or a test to read.</summary>
internal sealed class ConsoleLogger(LogLevel minimum) : ILogger
{
    private readonly Lock _gate = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        lock (_gate) Console.Error.WriteLine($"{logLevel} {eventId.Id} {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
    }
}
