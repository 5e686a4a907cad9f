using System.Device.I2c;

namespace NetbootPi.Hardware.Tests.Power;

/// <summary>
/// An MCP23017 (two 8-bit ports) or MCP23008 (one) at the I²C register level, as its datasheet (DS20001952,
/// DS21919) describes it with IOCON.BANK = 0: a write's first byte sets the register pointer, the bytes after it
/// and every byte read go to or come from the pointer, which then moves on (sequential mode, the default). The
/// registers that matter to GPIO are modelled: IODIR (1 = input, all inputs at power-on), IPOL, GPPU (100 kΩ
/// pull-ups), GPIO (reads the pins: inputs from the wire, outputs from the latch; a write goes to OLAT) and OLAT.
/// Output pins drive the front panel, inputs read it.
/// </summary>
internal sealed class SimulatedMcp230xx : I2cDevice
{
    // Register indexes in the MCP23008's order; the MCP23017 with BANK = 0 interleaves ports A and B: index * 2 + port.
    private const int Iodir = 0, Ipol = 1, Iocon = 5, Gppu = 6, Gpio = 9, Olat = 10, RegisterCount = 11;

    private readonly FrontPanelWiring _wiring;
    private readonly int _ports;
    private readonly byte[] _registers;
    private readonly bool[] _driven;
    private int _pointer;

    /// <param name="ports">2 for an MCP23017, 1 for an MCP23008.</param>
    public SimulatedMcp230xx(FrontPanelWiring wiring, int ports, int busId = 1, int address = 0x20)
    {
        _wiring = wiring;
        _ports = ports;
        _registers = new byte[RegisterCount * ports];
        for (var port = 0; port < ports; port++) _registers[Address(Iodir, port)] = 0xFF;
        _driven = new bool[8 * ports];
        ConnectionSettings = new I2cConnectionSettings(busId, address);
    }

    public override I2cConnectionSettings ConnectionSettings { get; }

    /// <summary>Bytes written to each register address, in order: a test can check what the binding did.</summary>
    public List<(int Register, byte Value)> Writes { get; } = [];

    public byte Register(int index, int port = 0) => _registers[Address(index, port)];

    private int Address(int index, int port) => index * _ports + port;

    public override byte ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        Read(one);
        return one[0];
    }

    public override void Read(Span<byte> buffer)
    {
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = ReadRegister(_pointer);
            _pointer = (_pointer + 1) % _registers.Length;
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (buffer.IsEmpty) return;
        if (buffer[0] >= _registers.Length) throw new IOException($"register 0x{buffer[0]:X2} does not exist on this chip (the device NAKs)");
        _pointer = buffer[0];
        foreach (var value in buffer[1..])
        {
            WriteRegister(_pointer, value);
            _pointer = (_pointer + 1) % _registers.Length;
        }
    }

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }

    private byte ReadRegister(int address)
    {
        var (index, port) = (address / _ports, address % _ports);
        if (index != Gpio) return _registers[address];
        byte value = 0;
        var iodir = _registers[Address(Iodir, port)];
        for (var bit = 0; bit < 8; bit++)
        {
            var mask = 1 << bit;
            bool high;
            if ((iodir & mask) == 0) high = (_registers[Address(Olat, port)] & mask) != 0;
            else
            {
                high = _wiring.Sense(port * 8 + bit, pullUp: (_registers[Address(Gppu, port)] & mask) != 0, pullDown: false);
                if ((_registers[Address(Ipol, port)] & mask) != 0) high = !high;
            }
            if (high) value |= (byte)mask;
        }
        return value;
    }

    private void WriteRegister(int address, byte value)
    {
        Writes.Add((address, value));
        var (index, port) = (address / _ports, address % _ports);
        if (index == Iocon && (value & 0x80) != 0)
            throw new NotSupportedException("IOCON.BANK = 1 is not simulated (the register map would change)");
        // A write to GPIO goes to the output latch (datasheet: "a write to this register modifies the OLAT").
        _registers[index == Gpio ? Address(Olat, port) : address] = value;
        if (index is Iodir or Gpio or Olat) Apply(port);
    }

    private void Apply(int port)
    {
        var iodir = _registers[Address(Iodir, port)];
        var olat = _registers[Address(Olat, port)];
        for (var bit = 0; bit < 8; bit++)
        {
            var line = port * 8 + bit;
            var output = (iodir & (1 << bit)) == 0;
            if (output) _wiring.Drive(line, (olat & (1 << bit)) != 0);
            else if (_driven[line]) _wiring.Release(line);
            _driven[line] = output;
        }
    }
}
