using QRCoder;

namespace NetbootPi.Agent.Cli.Local;

/// <summary>
/// A QR code as text for a terminal: two rows of modules per line in half blocks, for a dark background (a block
/// is a light module, as <c>qrencode -t ansiutf8</c> draws it), with its quiet zone, as the WireGuard mobile apps
/// scan it from a screen.
/// </summary>
internal static class QrText
{
    public static string Render(string payload)
    {
        using var generator = new QRCodeGenerator();
        // Level L: the most room for a config (about 300 bytes); a screen is not a scratched sticker.
        using var data = generator.CreateQrCode(payload, QRCodeGenerator.ECCLevel.L);
        return new AsciiQRCode(data).GetGraphicSmall(drawQuietZones: true, invert: false, endOfLine: "\n") + "\n";
    }
}
