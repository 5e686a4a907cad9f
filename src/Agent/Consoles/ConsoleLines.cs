using System.Text;

namespace NetbootPi.Agent.Consoles;

/// <summary>
/// Turns a serial console's bytes into lines people can read: UTF-8 (invalid bytes replaced), terminal escape
/// sequences (colours, cursor moves, a firmware's screen clearing) and control characters dropped, CR LF and lone
/// CR ending lines alike, lines cut at <see cref="MaxLine"/> characters. No I/O and no clock: the caller says when a
/// partial line has waited long enough to be taken as it is (a login prompt has no newline).
/// </summary>
public sealed class ConsoleLines
{
    public const int MaxLine = 1024;

    private readonly StringBuilder _line = new();
    private readonly Decoder _utf8 = new UTF8Encoding(false, false).GetDecoder();
    private readonly char[] _chars = new char[8192];
    private EscapeState _escape;
    private bool _lastWasCr;

    private enum EscapeState { None, Esc, Csi, Osc, OscEsc }

    /// <summary>Whether a partial line is waiting.</summary>
    public bool HasPartial => _line.Length > 0;

    /// <summary>Feeds bytes; every line they complete is added to <paramref name="lines"/>.</summary>
    public void Feed(ReadOnlySpan<byte> bytes, List<string> lines)
    {
        while (!bytes.IsEmpty)
        {
            var take = Math.Min(bytes.Length, 4096);
            var n = _utf8.GetChars(bytes[..take], _chars, flush: false);
            bytes = bytes[take..];
            foreach (var c in _chars.AsSpan(0, n)) Take(c, lines);
        }
    }

    /// <summary>The partial line as it is (the caller decided it waited long enough), or null when there is none.</summary>
    public string? TakePartial()
    {
        if (_line.Length == 0) return null;
        var s = _line.ToString().TrimEnd();
        _line.Clear();
        return s.Length == 0 ? null : s;
    }

    private void Take(char c, List<string> lines)
    {
        switch (_escape)
        {
            case EscapeState.Esc:
                // ESC [ starts a control sequence, ESC ] an operating-system command; anything else is a two-character sequence.
                _escape = c == '[' ? EscapeState.Csi : c == ']' ? EscapeState.Osc : EscapeState.None;
                return;
            case EscapeState.Csi:
                // Parameters and intermediates are 0x20-0x3f; a final byte 0x40-0x7e ends it (ECMA-48 5.4).
                if (c is >= '@' and <= '~') _escape = EscapeState.None;
                return;
            case EscapeState.Osc:
                if (c == '\a') _escape = EscapeState.None;
                else if (c == '\x1b') _escape = EscapeState.OscEsc;
                return;
            case EscapeState.OscEsc:
                _escape = c == '\\' ? EscapeState.None : EscapeState.Osc;
                return;
        }
        var wasCr = _lastWasCr;
        _lastWasCr = c == '\r';
        switch (c)
        {
            case '\x1b':
                _escape = EscapeState.Esc;
                return;
            case '\n':
                if (!wasCr) End(lines);
                return;
            case '\r':
                End(lines);
                return;
            case '\t':
                Append(' ', lines);
                return;
            default:
                if (char.IsControl(c)) return;
                Append(c, lines);
                return;
        }
    }

    private void Append(char c, List<string> lines)
    {
        _line.Append(c);
        if (_line.Length >= MaxLine) End(lines);
    }

    private void End(List<string> lines)
    {
        // A firmware that redraws its screen sends empty lines by the dozen: they carry nothing.
        if (_line.Length == 0) return;
        lines.Add(_line.ToString().TrimEnd());
        _line.Clear();
    }
}
