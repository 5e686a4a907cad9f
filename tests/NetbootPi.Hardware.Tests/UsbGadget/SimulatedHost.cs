using NetbootPi.Hardware.UsbGadget;

namespace NetbootPi.Hardware.Tests.UsbGadget;

/// <summary>
/// The console host's side of the keyboard function, as a host's HID parser sees it: boot reports turned into key
/// presses and releases (modifier bits in order, then the keys that came and went), the keys it has down, LED
/// output reports it sends, and whether it has configured the device at all (f_hid refuses writes with ESHUTDOWN
/// until it has; here <see cref="HidWrite.NotConnected"/>).
/// </summary>
internal sealed class SimulatedHost : IHidDevice
{
    private readonly Queue<byte[]> _output = new();
    private byte _modifiers;
    private byte[] _keys = [];

    public string Path => "simulated";

    public bool Configured { get; set; } = true;

    /// <summary>Every press and release, like evdev's "KEY_LEFTSHIFT+ KEY_H+": usages as hex, modifiers by bit.</summary>
    public List<string> Events { get; } = [];

    /// <summary>What the host has down now.</summary>
    public IReadOnlyCollection<string> Down => [.. Enumerable.Range(0, 8).Where(b => (_modifiers & (1 << b)) != 0).Select(b => $"mod{b}"), .. _keys.Select(k => $"0x{k:x2}")];

    /// <summary>The host's keyboard lost the device (unplugged): it drops what was down, as the input core does.</summary>
    public void Unplug()
    {
        Configured = false;
        _modifiers = 0;
        _keys = [];
    }

    public void SendLeds(byte leds)
    {
        lock (_output) _output.Enqueue([leds]);
    }

    public HidWrite Write(ReadOnlySpan<byte> report, TimeSpan timeout)
    {
        if (!Configured) return HidWrite.NotConnected;
        Assert.Equal(8, report.Length);
        Assert.Equal(0, report[1]);
        for (var b = 0; b < 8; b++)
        {
            var was = (_modifiers & (1 << b)) != 0;
            var now = (report[0] & (1 << b)) != 0;
            if (was != now) Events.Add($"mod{b}{(now ? "+" : "-")}");
        }
        _modifiers = report[0];
        var keys = report[2..].ToArray().Where(k => k != 0).ToArray();
        foreach (var k in keys.Except(_keys)) Events.Add($"0x{k:x2}+");
        foreach (var k in _keys.Except(keys)) Events.Add($"0x{k:x2}-");
        _keys = keys;
        return HidWrite.Sent;
    }

    public int Read(Span<byte> buffer, TimeSpan timeout)
    {
        byte[]? next = null;
        var deadline = DateTime.UtcNow + timeout;
        while (next is null && DateTime.UtcNow < deadline)
        {
            lock (_output) _output.TryDequeue(out next);
            if (next is null) Thread.Sleep(5);
        }
        if (next is null) return 0;
        next.CopyTo(buffer);
        return next.Length;
    }

    public void Dispose()
    {
    }
}
