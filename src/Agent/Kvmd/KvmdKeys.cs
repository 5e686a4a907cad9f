using NetbootPi.Hardware.UsbGadget;

namespace NetbootPi.Agent.Kvmd;

/// <summary>
/// kvmd's key names, which are the web's <c>KeyboardEvent.code</c> values (W3C UI Events KeyboardEvent code Values:
/// the key's place, whatever the layout), as the box's own key names (<see cref="KeyChord"/>), for the keys the
/// box's keyboard has. The web console's keyboard capture maps the same codes the same way (console-host.js).
/// </summary>
internal static class KvmdKeys
{
    private static readonly (string Code, string Name)[] Named =
    [
        ("Enter", "enter"), ("NumpadEnter", "enter"), ("Escape", "esc"), ("Backspace", "backspace"), ("Tab", "tab"), ("Space", "space"),
        ("Minus", "minus"), ("Equal", "equal"), ("BracketLeft", "leftbrace"), ("BracketRight", "rightbrace"), ("Backslash", "backslash"),
        ("Semicolon", "semicolon"), ("Quote", "apostrophe"), ("Backquote", "grave"), ("Comma", "comma"), ("Period", "dot"), ("Slash", "slash"),
        ("CapsLock", "capslock"), ("PrintScreen", "printscreen"), ("ScrollLock", "scrolllock"), ("Pause", "pause"), ("Insert", "insert"),
        ("Home", "home"), ("PageUp", "pageup"), ("Delete", "delete"), ("End", "end"), ("PageDown", "pagedown"), ("ArrowRight", "right"),
        ("ArrowLeft", "left"), ("ArrowDown", "down"), ("ArrowUp", "up"), ("NumLock", "numlock"), ("ContextMenu", "menu"),
        ("ControlLeft", "ctrl"), ("ShiftLeft", "shift"), ("AltLeft", "alt"), ("MetaLeft", "meta"), ("OSLeft", "meta"),
        ("ControlRight", "rctrl"), ("ShiftRight", "rshift"), ("AltRight", "ralt"), ("MetaRight", "rmeta"), ("OSRight", "rmeta"),
    ];

    /// <summary>The box's name for the key <paramref name="code"/> (<c>KeyA</c> a, <c>Digit1</c> 1, <c>F12</c> f12), or null for a key it has not.</summary>
    public static string? NameOf(string code)
    {
        if (code.Length == 4 && code.StartsWith("Key", StringComparison.Ordinal) && char.IsAsciiLetterUpper(code[3])) return char.ToLowerInvariant(code[3]).ToString();
        if (code.Length == 6 && code.StartsWith("Digit", StringComparison.Ordinal) && char.IsAsciiDigit(code[5])) return code[5].ToString();
        if (code.Length is 2 or 3 && code[0] == 'F' && int.TryParse(code.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var f)
            && f is >= 1 and <= 24 && code[1] != '0')
            return "f" + f.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (c, name) in Named)
            if (string.Equals(c, code, StringComparison.Ordinal)) return name;
        return null;
    }

    /// <summary>kvmd's keymap names (its contrib/keymaps) for the layouts the box has under another name.</summary>
    private static readonly (string Kvmd, string Ours)[] Keymaps =
    [
        ("en-us", "us"), ("en-gb", "gb"), ("de-ch", "ch"), ("fr-ch", "ch-fr"), ("fr-be", "be"), ("en-us-altgr-intl", "us-intl"),
    ];

    /// <summary>The layout <paramref name="keymap"/> names, by the box's name or kvmd's; null when the box has none such.</summary>
    public static KeyboardLayout? Layout(string keymap)
    {
        if (KeyboardLayout.Find(keymap) is { } layout) return layout;
        foreach (var (kvmd, ours) in Keymaps)
            if (string.Equals(kvmd, keymap, StringComparison.OrdinalIgnoreCase)) return KeyboardLayout.Find(ours);
        return null;
    }
}
