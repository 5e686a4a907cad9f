using System.Net.Sockets;
using NetbootPi.Hardware.Power;
using NetbootPi.Protocols.Qmp;

namespace NetbootPi.Agent.Power;

/// <summary>
/// A host that is a qemu VM, over its QMP socket: on is <c>cont</c> (a VM started with <c>-S</c> waits in
/// prelaunch; one stopped is paused), off the ACPI power button (<c>system_powerdown</c>: the guest's OS decides),
/// off --force <c>quit</c> (the qemu process ends: starting it again is for whoever started it), reset and cycle
/// <c>system_reset</c>. A socket nobody listens on is a VM whose process is not running: off.
/// </summary>
public sealed class QmpPowerDriver(string socketPath) : IHostPowerDriver
{
    public async Task<PowerReply> RunAsync(PowerAction action, CancellationToken cancellation)
    {
        QmpClient qmp;
        try
        {
            qmp = await QmpClient.ConnectAsync(socketPath, cancellation).ConfigureAwait(false);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable
            || e.SocketErrorCode == SocketError.AddressFamilyNotSupported || !File.Exists(socketPath))
        {
            var off = action is PowerAction.Status or PowerAction.Off or PowerAction.ForceOff;
            return new PowerReply(off, PowerState.Off, $"{(off ? "off: " : "")}no qemu listens on {socketPath} (the VM's process is not running{(off ? "" : "; the box cannot start a qemu process, start the VM first")})");
        }
        using (qmp)
        {
            try
            {
                return await RunAsync(qmp, action, cancellation).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new PowerException($"the QMP socket {socketPath} broke: {e.Message}", e);
            }
        }
    }

    private static async Task<PowerReply> RunAsync(QmpClient qmp, PowerAction action, CancellationToken cancellation)
    {
        var status = await StatusAsync(qmp, cancellation).ConfigureAwait(false);
        var running = status == "running";
        switch (action)
        {
            case PowerAction.Status:
                return new PowerReply(true, running ? PowerState.On : PowerState.Off, running ? "on (running)" : $"off ({status})");
            case PowerAction.On:
                if (running) return new PowerReply(true, PowerState.On, "already on (running)");
                // A guest that shut down (-no-shutdown) starts again from its firmware: reset, then run.
                if (status == "shutdown") await qmp.ExecuteAsync("system_reset", cancellation).ConfigureAwait(false);
                await qmp.ExecuteAsync("cont", cancellation).ConfigureAwait(false);
                var after = await StatusAsync(qmp, cancellation).ConfigureAwait(false);
                return after == "running"
                    ? new PowerReply(true, PowerState.On, $"on (was {status}, now running)")
                    : new PowerReply(false, PowerState.Off, $"cont sent, but the VM is {after}");
            case PowerAction.Off:
                if (!running) return new PowerReply(true, PowerState.Off, $"already off ({status})");
                await qmp.ExecuteAsync("system_powerdown", cancellation).ConfigureAwait(false);
                return new PowerReply(true, PowerState.On, "ACPI power button pressed: the guest's OS shuts down if it listens (off --force quits the VM)");
            case PowerAction.ForceOff:
                await qmp.ExecuteAsync("quit", cancellation).ConfigureAwait(false);
                return new PowerReply(true, PowerState.Off, "off: qemu quit (the VM's process ended)");
            default:
                await qmp.ExecuteAsync("system_reset", cancellation).ConfigureAwait(false);
                if (!running) await qmp.ExecuteAsync("cont", cancellation).ConfigureAwait(false);
                return new PowerReply(true, PowerState.On, action == PowerAction.Reset ? "reset (system_reset)" : $"cycled: system_reset{(running ? "" : " and cont")}");
        }
    }

    private static async Task<string> StatusAsync(QmpClient qmp, CancellationToken cancellation)
    {
        var reply = await qmp.ExecuteAsync("query-status", cancellation).ConfigureAwait(false);
        return reply.TryGetProperty("status", out var s) ? s.GetString() ?? "?" : "?";
    }

    public void Dispose()
    {
    }
}
