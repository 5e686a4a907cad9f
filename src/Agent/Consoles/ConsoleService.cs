using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Consoles;

/// <summary>
/// Reads the serial console of every host whose <c>console:</c> says where (docs/power.md): a
/// <see cref="ConsoleReader"/> each, started at start and changed on a reload for the hosts whose console changed.
/// </summary>
public sealed class ConsoleService(SiteState state, BootEventLog events, TimeProvider time, ILoggerFactory loggers) : BackgroundService
{
    private readonly ConcurrentDictionary<string, ConsoleReader> _readers = new(StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim _changed = new(0);
    private readonly ILogger _logger = loggers.CreateLogger("NetbootPi.Agent.Consoles");

    /// <summary>The last line of a host's console and when it came; null without a console or before any line.</summary>
    public ConsoleLine? LastLine(string host) => _readers.TryGetValue(host, out var reader) ? reader.Last : null;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        Follow(state.Current);
        state.Changed += OnSiteChanged;
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await _changed.WaitAsync(stoppingToken).ConfigureAwait(false);
                Follow(state.Current);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            state.Changed -= OnSiteChanged;
            foreach (var reader in _readers.Values) reader.Dispose();
            _readers.Clear();
        }
    }

    private void OnSiteChanged(SiteInventory site) => _changed.Release();

    private void Follow(SiteInventory site)
    {
        var wanted = site.Hosts.Where(h => h.Console is not null).ToDictionary(h => h.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, reader) in _readers)
        {
            // Same host, same line: keep reading (a reload must not cut a console mid-boot).
            if (wanted.TryGetValue(name, out var host) && host.Console! with { Location = reader.Console.Location } == reader.Console) continue;
            if (_readers.TryRemove(name, out var gone)) gone.Dispose();
        }
        foreach (var (name, host) in wanted)
        {
            if (_readers.ContainsKey(name)) continue;
            _readers[name] = new ConsoleReader(name, host.Console!, site.Server.StateDirectory, events, time, _logger);
        }
    }
}
