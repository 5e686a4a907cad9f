using System.Net;

namespace NetbootPi.Protocols.Tftp;

/// <summary>
/// The Raspberry Pi network boot layout: the bootloader asks for <c>&lt;serial&gt;/start4.elf</c> and so on, where
/// serial is the board's eight hex digits. A serial the site knows is served from that host's directory, any other
/// serial from a shared default directory; names without a serial prefix pass through unchanged. The inner
/// provider keeps everything confined to its root, so a map that returns a bad directory cannot escape it.
/// </summary>
public sealed class PiSerialFileProvider : ITftpFileProvider
{
    private readonly ITftpFileProvider _inner;
    private readonly IPiSerialMap _map;
    private readonly string _defaultDirectory;

    public PiSerialFileProvider(ITftpFileProvider inner, IPiSerialMap map, string defaultDirectory)
    {
        _inner = inner;
        _map = map;
        _defaultDirectory = defaultDirectory.Trim('/');
    }

    public TftpOpenResult Open(string path, IPEndPoint client)
    {
        if (!TrySplitSerial(path, out var serial, out var rest)) return _inner.Open(path, client);
        var directory = _map.GetHostDirectory(serial) ?? _defaultDirectory;
        return _inner.Open(directory.Length == 0 ? rest : $"{directory}/{rest}", client);
    }

    /// <summary>
    /// Splits <c>&lt;serial&gt;/rest</c> (leading separators dropped, <c>\</c> read as <c>/</c>) into the serial,
    /// lower-cased, and the rest; false for names without an eight-hex-digit first component. For providers that
    /// produce per-board files (a rendered cmdline.txt) in front of this one.
    /// </summary>
    public static bool TrySplitSerial(string path, out string serial, out string rest)
    {
        var name = path.Replace('\\', '/').TrimStart('/');
        if (name.Length <= 9 || name[8] != '/' || !IsSerial(name.AsSpan(0, 8)))
        {
            serial = rest = "";
            return false;
        }
        serial = name[..8].ToLowerInvariant();
        rest = name[9..];
        return true;
    }

    private static bool IsSerial(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c)) return false;
        }
        return true;
    }
}
