using System.Device.Gpio;

namespace NetbootPi.Hardware.Tests.Power;

/// <summary>
/// A GPIO chip whose lines are wired to a simulated front panel: outputs drive its buttons, inputs read its LED
/// with the pull the pin mode asks for. Modes and output latches behave as a chip's do: a line's latch keeps its
/// level while the line is an input, and reaches the wire when the line becomes an output.
/// </summary>
internal sealed class SimulatedGpioDriver(FrontPanelWiring wiring, int lineCount = 28) : GpioDriver
{
    private readonly Dictionary<int, PinMode> _modes = [];
    private readonly Dictionary<int, bool> _latches = [];

    /// <summary>Every write, in order, as (line, level): a test can prove the lines were never glitched.</summary>
    public List<(int Line, bool High)> Writes { get; } = [];

    protected override int PinCount => lineCount;

    protected override void OpenPin(int pinNumber)
    {
        Check(pinNumber);
        if (!_modes.TryAdd(pinNumber, PinMode.Input)) throw new InvalidOperationException($"line {pinNumber} is already open");
    }

    protected override void ClosePin(int pinNumber)
    {
        if (_modes.Remove(pinNumber)) wiring.Release(pinNumber);
    }

    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        Mode(pinNumber);
        _modes[pinNumber] = mode;
        if (mode == PinMode.Output) wiring.Drive(pinNumber, _latches.GetValueOrDefault(pinNumber));
        else wiring.Release(pinNumber);
    }

    // As the kernel's GPIO character device does (a line requested as an output with its default value): the
    // level is set with the direction, so the line never shows the latch's old level.
    protected override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue)
    {
        Mode(pinNumber);
        _latches[pinNumber] = initialValue == PinValue.High;
        SetPinMode(pinNumber, mode);
    }

    protected override PinMode GetPinMode(int pinNumber) => Mode(pinNumber);

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) =>
        mode is PinMode.Input or PinMode.InputPullUp or PinMode.InputPullDown or PinMode.Output;

    protected override PinValue Read(int pinNumber)
    {
        var mode = Mode(pinNumber);
        return mode == PinMode.Output
            ? _latches.GetValueOrDefault(pinNumber)
            : wiring.Sense(pinNumber, mode == PinMode.InputPullUp, mode == PinMode.InputPullDown);
    }

    protected override void Write(int pinNumber, PinValue value)
    {
        var mode = Mode(pinNumber);
        var high = value == PinValue.High;
        _latches[pinNumber] = high;
        Writes.Add((pinNumber, high));
        if (mode == PinMode.Output) wiring.Drive(pinNumber, high);
    }

    protected override void Toggle(int pinNumber) => Write(pinNumber, !_latches.GetValueOrDefault(pinNumber));

    // Edges are not simulated: the power logic polls its LED line (a debounce over samples), it waits on no edge.
    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the simulated chip reports no edges");

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) =>
        throw new NotSupportedException("the simulated chip reports no edges");

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) =>
        throw new NotSupportedException("the simulated chip reports no edges");

    public override GpioChipInfo GetChipInfo() => new(0, "simulated", "front panel", lineCount);

    private PinMode Mode(int line) =>
        _modes.TryGetValue(line, out var mode) ? mode : throw new InvalidOperationException($"line {line} is not open");

    private void Check(int line)
    {
        if (line < 0 || line >= lineCount) throw new ArgumentOutOfRangeException(nameof(line), line, $"the chip has lines 0-{lineCount - 1}");
    }
}
