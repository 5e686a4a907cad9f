namespace NetbootPi.Hardware.UsbGadget;

/// <summary>
/// Key names as people write them, joined by '+': <c>ctrl+alt+delete</c>, <c>F12</c>, <c>shift+tab</c>, <c>a</c>.
/// Modifiers (<c>ctrl</c>, <c>shift</c>, <c>alt</c>, <c>meta</c>; <c>r</c>-prefixed for the right ones, <c>altgr</c>)
/// and at most six other keys. Names are the keys' own, not characters of a layout, except single letters and digits.
/// </summary>
public static class KeyChord
{
    // Looked up by a linear search: a hundred names, a few lookups per request, and no dictionary types to compile.
    private static readonly (string Name, KeyModifiers Modifier)[] Modifiers =
    [
        ("ctrl", KeyModifiers.LeftCtrl), ("control", KeyModifiers.LeftCtrl), ("lctrl", KeyModifiers.LeftCtrl), ("rctrl", KeyModifiers.RightCtrl),
        ("shift", KeyModifiers.LeftShift), ("lshift", KeyModifiers.LeftShift), ("rshift", KeyModifiers.RightShift),
        ("alt", KeyModifiers.LeftAlt), ("lalt", KeyModifiers.LeftAlt), ("ralt", KeyModifiers.RightAlt), ("altgr", KeyModifiers.RightAlt),
        ("meta", KeyModifiers.LeftGui), ("super", KeyModifiers.LeftGui), ("win", KeyModifiers.LeftGui), ("gui", KeyModifiers.LeftGui),
        ("rmeta", KeyModifiers.RightGui), ("rsuper", KeyModifiers.RightGui),
    ];

    private static readonly (string Name, byte Usage)[] Keys = KeyTable();

    /// <summary>The chord as one stroke, or false with the reason (an unknown name, said with the names there are).</summary>
    public static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out KeyStroke? stroke, out string? error)
    {
        stroke = null;
        error = null;
        var modifiers = KeyModifiers.None;
        Span<byte> keys = stackalloc byte[16];
        var count = 0;
        foreach (var raw in text.Split('+'))
        {
            var name = raw.Trim();
            if (name.Length == 0)
            {
                error = $"'{text}' has an empty key name (keys are joined by '+', like ctrl+alt+delete)";
                return false;
            }
            if (Find(Modifiers, name) is { } m) modifiers |= m;
            else if (Find(Keys, name) is { } usage)
            {
                if (count == keys.Length) count = KeyStroke.MaxKeys + 1;
                else if (!keys[..count].Contains(usage)) keys[count++] = usage;
            }
            else
            {
                error = $"unknown key '{name}' (keys: a-z, 0-9, f1-f24, enter, esc, backspace, tab, space, delete, insert, home, end, pageup, pagedown, up, down, left, right, capslock, numlock, scrolllock, printscreen, pause, menu, minus, equal, and the modifiers ctrl, shift, alt, meta, rctrl, rshift, ralt/altgr, rmeta)";
                return false;
            }
        }
        if (count > KeyStroke.MaxKeys)
        {
            error = $"'{text}' presses more than {KeyStroke.MaxKeys} keys besides modifiers; a boot keyboard reports at most {KeyStroke.MaxKeys} at once";
            return false;
        }
        stroke = new KeyStroke(modifiers, keys[..count].ToArray());
        return true;
    }

    private static KeyModifiers? Find((string Name, KeyModifiers Modifier)[] table, string name)
    {
        foreach (var (n, m) in table)
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) return m;
        return null;
    }

    private static byte? Find((string Name, byte Usage)[] table, string name)
    {
        foreach (var (n, u) in table)
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) return u;
        return null;
    }

    private static (string, byte)[] KeyTable()
    {
        var t = new (string, byte)[26 + 10 + 24 + 45];
        var n = 0;
        for (var i = 0; i < 26; i++) t[n++] = (((char)('a' + i)).ToString(), (byte)(0x04 + i));
        for (var i = 1; i <= 9; i++) t[n++] = (i.ToString(System.Globalization.CultureInfo.InvariantCulture), (byte)(0x1d + i));
        t[n++] = ("0", 0x27);
        for (var i = 1; i <= 12; i++) t[n++] = ($"f{i}", (byte)(0x39 + i));
        for (var i = 13; i <= 24; i++) t[n++] = ($"f{i}", (byte)(0x68 + i - 13));
        (string[] Names, byte Usage)[] named =
        [
            (["enter", "return"], 0x28), (["esc", "escape"], 0x29), (["backspace"], 0x2a), (["tab"], 0x2b), (["space"], 0x2c),
            (["minus"], 0x2d), (["equal"], 0x2e), (["leftbrace"], 0x2f), (["rightbrace"], 0x30), (["backslash"], 0x31),
            (["semicolon"], 0x33), (["apostrophe"], 0x34), (["grave"], 0x35), (["comma"], 0x36), (["dot", "period"], 0x37), (["slash"], 0x38),
            (["capslock"], 0x39), (["printscreen", "prtsc", "sysrq"], 0x46), (["scrolllock"], 0x47), (["pause", "break"], 0x48),
            (["insert", "ins"], 0x49), (["home"], 0x4a), (["pageup", "pgup"], 0x4b), (["delete", "del"], 0x4c), (["end"], 0x4d),
            (["pagedown", "pgdn"], 0x4e), (["right"], 0x4f), (["left"], 0x50), (["down"], 0x51), (["up"], 0x52), (["numlock"], 0x53),
            (["menu", "compose"], 0x65),
        ];
        foreach (var (names, usage) in named)
            foreach (var name in names) t[n++] = (name, usage);
        return t[..n];
    }
}
