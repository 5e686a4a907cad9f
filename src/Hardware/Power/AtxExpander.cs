using System.Device.Gpio;
using System.Device.I2c;
using Iot.Device.Mcp23xxx;

namespace NetbootPi.Hardware.Power;

/// <summary>
/// Opens an MCP23017/MCP23008 (Iot.Device.Bindings' drivers) as a <see cref="GpioController"/> for
/// <see cref="AtxPower"/>, with the button lines' output latches set to their released levels first.
/// </summary>
/// <remarks>
/// The chip powers up with every line an input and every latch low, and the bindings make a line an output by
/// writing IODIR alone: an active-low button would be pressed from that write until the first write of the line's
/// level (and their write is skipped when their cache, read from the pins, already holds that level). Writing OLAT
/// first means a line starts driving at its released level.
/// </remarks>
public static class AtxExpander
{
    public static int LineCount(ExpanderChip chip) => chip == ExpanderChip.Mcp23017 ? 16 : 8;

    /// <param name="device">The chip on its bus and address (<c>I2cDevice.Create(new I2cConnectionSettings(1, 0x20))</c> on the Pi).</param>
    /// <param name="released">Each button line and its released level (high for an active-low button).</param>
    public static GpioController Open(I2cDevice device, ExpanderChip chip, IEnumerable<(int Line, bool High)> released)
    {
        Span<byte> latch = [0, 0];
        Span<byte> mask = [0, 0];
        foreach (var (line, high) in released)
        {
            if (line < 0 || line >= LineCount(chip))
                throw new ArgumentOutOfRangeException(nameof(released), line, $"an {chip} has lines 0-{LineCount(chip) - 1}");
            mask[line / 8] |= (byte)(1 << (line % 8));
            if (high) latch[line / 8] |= (byte)(1 << (line % 8));
        }
        if (chip == ExpanderChip.Mcp23017)
        {
            var mcp = new Mcp23017(device);
            Preset(mcp, latch[0], mask[0], Port.PortA);
            Preset(mcp, latch[1], mask[1], Port.PortB);
            return new GpioController(mcp);
        }
        var small = new Mcp23008(device);
        if (mask[0] != 0)
            small.WriteByte(Register.OLAT, (byte)((small.ReadByte(Register.OLAT) & ~mask[0]) | latch[0]));
        return new GpioController(small);
    }

    private static void Preset(Mcp23017 mcp, byte latch, byte mask, Port port)
    {
        if (mask == 0) return;
        mcp.WriteByte(Register.OLAT, (byte)((mcp.ReadByte(Register.OLAT, port) & ~mask) | latch), port);
    }
}
