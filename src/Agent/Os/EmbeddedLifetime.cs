using Microsoft.Extensions.Hosting;

namespace NetbootPi.Agent.Os;

/// <summary>
/// The lifetime of a Kestrel application embedded in one of the agent's hosted services (the boot HTTP server, the
/// control socket, the API over the network): it waits for nothing and stops nothing, because the agent's own host
/// owns the signals and the order of stopping.
/// </summary>
public sealed class EmbeddedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
