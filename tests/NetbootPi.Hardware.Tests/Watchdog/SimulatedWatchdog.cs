using NetbootPi.Hardware.Watchdog;

namespace NetbootPi.Hardware.Tests.Watchdog;

/// <summary>
/// A watchdog device that behaves as the kernel's watchdog core does, on a fake clock: one opener at a time,
/// armed on open, it fires (<see cref="Fired"/>) when the time since the last pet passes its timeout; the magic
/// close stops it, a plain close stops only a driver without magic close, and nothing stops it under nowayout.
/// </summary>
internal sealed class SimulatedWatchdog(TimeProvider time, WatchdogCapabilities capabilities, TimeSpan timeout, bool noWayOut = false)
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time = time;
    private readonly WatchdogCapabilities _capabilities = capabilities;
    private readonly bool _noWayOut = noWayOut;
    private Handle? _open;
    private bool _running;
    private bool _fired;
    private DateTimeOffset _deadline;
    private TimeSpan _timeout = timeout;

    public string Identity { get; init; } = "Simulated Watchdog";

    /// <summary>The board has been reset: the count ran out while armed.</summary>
    public bool Fired
    {
        get
        {
            lock (_gate)
            {
                if (_running && _time.GetUtcNow() >= _deadline) _fired = true;
                return _fired;
            }
        }
    }

    public bool IsRunning
    {
        get { lock (_gate) return _running && !Fired; }
    }

    public IWatchdog Open()
    {
        lock (_gate)
        {
            if (_open is not null) throw new WatchdogException("simulated: already held by another process", 16);
            _running = true;
            _deadline = _time.GetUtcNow() + _timeout;
            return _open = new Handle(this);
        }
    }

    private void Pet()
    {
        lock (_gate)
        {
            if (_running && _time.GetUtcNow() >= _deadline) _fired = true;
            _deadline = _time.GetUtcNow() + _timeout;
        }
    }

    private void Release(bool magic)
    {
        lock (_gate)
        {
            if (_running && _time.GetUtcNow() >= _deadline) _fired = true;
            var stops = !_noWayOut && (magic || !_capabilities.HasFlag(WatchdogCapabilities.MagicClose));
            if (stops) _running = false;
            _open = null;
        }
    }

    private sealed class Handle(SimulatedWatchdog device) : IWatchdog
    {
        private bool _closed;

        public WatchdogInfo Info => new(device.Identity, 0, device._capabilities);

        public TimeSpan Timeout
        {
            get { lock (device._gate) return device._timeout; }
        }

        public TimeSpan SetTimeout(TimeSpan value)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (!device._capabilities.HasFlag(WatchdogCapabilities.SetTimeout)) throw new WatchdogException("simulated: its timeout cannot be changed");
            lock (device._gate)
            {
                device._timeout = TimeSpan.FromSeconds(Math.Ceiling(value.TotalSeconds));
                device._deadline = device._time.GetUtcNow() + device._timeout; // WDIOC_SETTIMEOUT also pets
                return device._timeout;
            }
        }

        public void Keepalive()
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            device.Pet();
        }

        public WatchdogRelease Disarm()
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            _closed = true;
            device.Release(magic: device._capabilities.HasFlag(WatchdogCapabilities.MagicClose));
            return device._noWayOut ? WatchdogRelease.StillRunning : WatchdogRelease.Stopped;
        }

        public void Dispose()
        {
            if (_closed) return;
            _closed = true;
            device.Release(magic: false);
        }
    }
}
