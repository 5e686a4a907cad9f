namespace NetbootPi.Hardware.UsbGadget;

/// <summary>
/// The gadget's keyboard: typing text, pressing chords, holding keys, and the LEDs the host lights. One sequence of
/// reports is sent at a time; at most <see cref="MaxWaiting"/> more wait their turn and further ones are refused, and
/// each is bounded (<see cref="MaxTextLength"/> characters, <see cref="MaxRepeat"/> repeats): the queue of reports
/// ahead of a keystroke is never longer than those make.
/// </summary>
/// <remarks>
/// No key stays down by accident: every character and chord is pressed and released; a sequence whose caller goes
/// away (cancelled) ends with every key released; <see cref="Reset"/> (the host unplugged or rebooting, seen by
/// the UDC leaving <c>configured</c>) forgets held keys and stops the sequence under way, so a host that comes back
/// gets a keyboard with nothing down.
/// </remarks>
public sealed class HidKeyboard : IDisposable
{
    public const int MaxTextLength = 4096;
    public const int MaxRepeat = 100;
    public const int MaxWaiting = 8;

    /// <summary>How long one report may wait for the host to take the one before (it polls every few ms when awake).</summary>
    public static readonly TimeSpan ReportTimeout = TimeSpan.FromSeconds(1);

    private readonly IHidDevice _device;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _sender = new(1, 1);
    private readonly Thread _ledReader;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _state = new();
    private int _waiting;
    private KeyStroke _held = KeyStroke.None;
    private int _generation;
    private volatile byte _leds;

    public HidKeyboard(IHidDevice device, TimeProvider time)
    {
        _device = device;
        _time = time;
        _ledReader = new Thread(ReadLeds) { IsBackground = true, Name = "keyboard LEDs" };
        _ledReader.Start();
    }

    /// <summary>The LEDs the host last set (Caps Lock, Num Lock...).</summary>
    public KeyboardLeds Leds => (KeyboardLeds)_leds;

    /// <summary>The keys held down by <see cref="HoldAsync"/> and not yet released.</summary>
    public KeyStroke Held
    {
        get
        {
            lock (_state) return _held;
        }
    }

    /// <summary>Types <paramref name="text"/> in <paramref name="layout"/>; a character the layout has no key for refuses the whole text before any key is sent.</summary>
    public Task TypeAsync(string text, KeyboardLayout layout, CancellationToken cancellation)
    {
        if (text.Length > MaxTextLength)
            throw new ArgumentException($"the text is {text.Length} characters; at most {MaxTextLength} are typed at once");
        var strokes = new List<KeyStroke>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? '\0' : text[i] == '\r' ? '\n' : text[i];
            if (c == '\0') continue;
            if (!layout.TryGet(c, out var typed))
                throw new ArgumentException($"the {layout.Name} layout has no key for {Describe(c)} (character {i + 1} of the text)");
            strokes.AddRange(typed);
        }
        return SendAsync([.. strokes], 1, TimeSpan.Zero, cancellation);
    }

    /// <summary>Presses and releases <paramref name="stroke"/> <paramref name="repeat"/> times, <paramref name="delay"/> apart (F12 for a boot menu).</summary>
    public Task PressAsync(KeyStroke stroke, int repeat, TimeSpan delay, CancellationToken cancellation)
    {
        if (repeat is < 1 or > MaxRepeat) throw new ArgumentException($"repeat must be 1 to {MaxRepeat} (not {repeat})");
        return SendAsync([stroke], repeat, delay, cancellation);
    }

    /// <summary>Presses <paramref name="stroke"/> and keeps it down, with any keys already held, until released or reset.</summary>
    public async Task HoldAsync(KeyStroke stroke, CancellationToken cancellation)
    {
        await TurnAsync(cancellation).ConfigureAwait(false);
        try
        {
            KeyStroke next;
            lock (_state) next = Combine(_held, stroke);
            Send(next);
            lock (_state) _held = next;
        }
        finally
        {
            _sender.Release();
        }
    }

    /// <summary>Releases the keys of <paramref name="stroke"/> that are held, keeping the others down.</summary>
    public async Task ReleaseAsync(KeyStroke stroke, CancellationToken cancellation)
    {
        await TurnAsync(cancellation).ConfigureAwait(false);
        try
        {
            KeyStroke next;
            lock (_state) next = _held.Without(stroke);
            Send(next);
            lock (_state) _held = next;
        }
        finally
        {
            _sender.Release();
        }
    }

    /// <summary>Releases every key (an empty report).</summary>
    public async Task ReleaseAllAsync(CancellationToken cancellation)
    {
        await TurnAsync(cancellation).ConfigureAwait(false);
        try
        {
            lock (_state) _held = KeyStroke.None;
            Send(_held);
        }
        finally
        {
            _sender.Release();
        }
    }

    /// <summary>The host went away (or the gadget was reset): nothing is held any more and the sequence under way stops.</summary>
    public void Reset()
    {
        lock (_state)
        {
            _held = KeyStroke.None;
            _generation++;
        }
    }

    private async Task SendAsync(KeyStroke[] strokes, int repeat, TimeSpan delay, CancellationToken cancellation)
    {
        await TurnAsync(cancellation).ConfigureAwait(false);
        try
        {
            int generation;
            lock (_state) generation = _generation;
            var done = false;
            try
            {
                for (var r = 0; r < repeat; r++)
                {
                    if (r > 0 && delay > TimeSpan.Zero) await Task.Delay(delay, _time, cancellation).ConfigureAwait(false);
                    foreach (var stroke in strokes)
                    {
                        cancellation.ThrowIfCancellationRequested();
                        KeyStroke held;
                        lock (_state)
                        {
                            if (_generation != generation)
                                throw new UsbGadgetException("the console host disconnected or rebooted while keys were being sent; the rest was not sent");
                            held = _held;
                        }
                        Send(Combine(held, stroke));
                        Send(held);
                    }
                }
                done = true;
            }
            finally
            {
                // A caller gone mid-way (a client disconnected) leaves nothing down, held keys included.
                if (!done && cancellation.IsCancellationRequested)
                {
                    lock (_state) _held = KeyStroke.None;
                    try
                    {
                        Send(_held);
                    }
                    catch (UsbGadgetException)
                    {
                        // The host is gone too: it has dropped every key itself.
                    }
                }
            }
        }
        finally
        {
            _sender.Release();
        }
    }

    private async Task TurnAsync(CancellationToken cancellation)
    {
        if (Interlocked.Increment(ref _waiting) > MaxWaiting + 1)
        {
            Interlocked.Decrement(ref _waiting);
            throw new InvalidOperationException($"the keyboard already has {MaxWaiting} requests waiting to be typed; try again when they are done");
        }
        try
        {
            await _sender.WaitAsync(cancellation).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    private void Send(KeyStroke stroke)
    {
        Span<byte> report = stackalloc byte[HidDescriptors.KeyboardReportLength];
        stroke.WriteReport(report);
        switch (_device.Write(report, ReportTimeout))
        {
            case HidWrite.Sent:
                return;
            case HidWrite.NotConnected:
                Reset();
                throw new UsbGadgetException("the console host has not enumerated the USB gadget (the cable is out, the host is off or rebooting): no keys were sent");
            default:
                Reset();
                throw new UsbGadgetException($"the console host took no key report for {ReportTimeout.TotalSeconds:0} s (asleep or suspended?): the rest was not sent");
        }
    }

    private static KeyStroke Combine(KeyStroke a, KeyStroke b) => a.With(b);

    private static string Describe(char c) => char.IsControl(c) ? $"U+{(int)c:X4}" : $"'{c}' (U+{(int)c:X4})";

    private void ReadLeds()
    {
        var buffer = new byte[HidDescriptors.KeyboardReportLength];
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var n = _device.Read(buffer, TimeSpan.FromMilliseconds(250));
                if (n >= 1) _leds = buffer[0];
            }
            catch (Exception e) when (e is UsbGadgetException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _ledReader.Join(TimeSpan.FromSeconds(2));
        _stop.Dispose();
    }
}
