using System.Runtime.CompilerServices;
using NetbootPi.Protocols.Dhcp;

namespace NetbootPi.Protocols.Tests.Dhcp;

/// <summary>
/// Packets captured from real clients (Golden/*.hex, made by Golden/capture.sh) decoded and compared with their
/// reviewed text (Golden/*.txt). Set NETBOOTPI_REGENERATE_GOLDEN=1 to rewrite the text after a deliberate change.
/// </summary>
public class DhcpGoldenTests
{
    public static TheoryData<string> Captures() => new(Directory.GetFiles(GoldenDirectory(), "*.hex").Select(Path.GetFileNameWithoutExtension).Order()!);

    [Theory]
    [MemberData(nameof(Captures))]
    public void Capture_decodes_to_its_golden_text(string name)
    {
        var hex = string.Concat(File.ReadAllLines(Path.Combine(GoldenDirectory(), name + ".hex")));
        var packet = Convert.FromHexString(hex);
        var message = new DhcpMessage();
        Assert.Equal(DhcpParseError.None, message.Parse(packet));
        var text = DhcpMessageFormatter.Format(message);
        var golden = Path.Combine(GoldenDirectory(), name + ".txt");
        if (Environment.GetEnvironmentVariable("NETBOOTPI_REGENERATE_GOLDEN") == "1") File.WriteAllText(golden, text);
        Assert.True(File.Exists(golden), $"{golden} is missing: run with NETBOOTPI_REGENERATE_GOLDEN=1 and review it");
        Assert.Equal(File.ReadAllText(golden), text);

        // What we parse we can write back, and it reads the same.
        var buffer = new byte[1500];
        Assert.True(DhcpMessageWriter.TryWrite(message, buffer, buffer.Length, out var n, out var dropped));
        Assert.Equal(0, dropped);
        var again = new DhcpMessage();
        Assert.Equal(DhcpParseError.None, again.Parse(buffer.AsSpan(0, n)));
        Assert.Equal(text, DhcpMessageFormatter.Format(again));
    }

    private static string GoldenDirectory([CallerFilePath] string source = "") => Path.Combine(Path.GetDirectoryName(source)!, "Golden");
}
