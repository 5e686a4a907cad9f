using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Os.Network;
using NetbootPi.Agent.Site;
using NetbootPi.Protocols.Net;
using NetbootPi.Protocols.Tftp;

namespace NetbootPi.Agent.Tftp;

/// <summary>The agent's TFTP server: loaders and Raspberry Pi boot files from the site's TFTP root.</summary>
public sealed class TftpService(SiteState state, IPEndPoint endpoint, INetworkInterfaces interfaces, ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private TftpServer? _server;

    public IPEndPoint? LocalEndPoint => _server?.LocalEndPoint;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var options = new TftpServerOptions
        {
            EndPoint = endpoint,
            // Block sizes fit the interface each request came in on (a VLAN or tunnel may have less than 1500).
            InterfaceMtu = a => interfaces.Holding(a)?.Mtu is > 0 and var mtu ? mtu : null,
        };
        _server = new TftpServer(options, new SiteTftpFiles(state), loggers.CreateLogger("NetbootPi.Tftp"));
        try
        {
            _server.Start();
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw ListenFailedException.From("TFTP", endpoint, e);
        }
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null) await _server.DisposeAsync().ConfigureAwait(false);
        _server = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync().ConfigureAwait(false);
    }
}
