using System.Collections.Concurrent;
using NetbootPi.Agent.Events;
using NetbootPi.Agent.Site;
using NetbootPi.Hardware.Power;

namespace NetbootPi.Agent.Power;

/// <summary>
/// The running agent's power actions: the control API's and the recovery's go through here, one at a time per host
/// (a press on a front panel must not overlap another), each a boot event of the host, and each told to
/// <see cref="Acted"/> so that recovery knows a host was turned off on purpose.
/// </summary>
public sealed class HostPowerService(SiteState state, BootEventLog events, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>After every action but status: the host, the action, the reply, and who asked.</summary>
    public event Action<HostEntry, PowerAction, PowerReply, string>? Acted;

    /// <summary>
    /// Runs <paramref name="action"/> on <paramref name="host"/> through its wiring. A driver's failure (a socket
    /// not there, a BMC not answering) is a reply that did not succeed, with the reason; never an exception.
    /// </summary>
    /// <param name="who">Who asked, for the event: <c>cli:USER</c>, <c>recovery</c>.</param>
    public async Task<PowerReply> RunAsync(HostEntry host, PowerAction action, string who, CancellationToken cancellation)
    {
        var gate = _gates.GetOrAdd(host.Name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            PowerReply reply;
            try
            {
                using var driver = PowerDrivers.For(state.Current, state.Path, host, time)
                    ?? throw new PowerException($"host {host.Name} has no power: wiring (add power: {{ driver: ... }}; docs/power.md)");
                reply = await driver.RunAsync(action, cancellation).ConfigureAwait(false);
            }
            catch (PowerException e)
            {
                reply = new PowerReply(false, PowerState.Unknown, $"failed: {e.Message}");
            }
            if (action == PowerAction.Status) return reply;
            events.Record(Event(time.GetUtcNow(), who, host, action, reply));
            Acted?.Invoke(host, action, reply, who);
            return reply;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The boot event of a power action (kind power: the action and its outcome; status 0 when it did what was asked).</summary>
    public static BootEvent Event(DateTimeOffset time, string who, HostEntry host, PowerAction action, PowerReply reply) =>
        new(time, who, host.Name, BootEventKind.Power, $"{WakeOnLanDriver.ActionName(action)}: {reply.Message}", reply.Succeeded ? 0 : 1, 0);
}
