namespace NetbootPi.Hardware.UsbGadget;

/// <summary>
/// Text to key strokes for the layout the console host's keyboard is set to: the host, not the gadget, turns usages
/// into characters, so typing "@" means pressing the key that is "@" in the host's layout. One table per layout; US
/// is the one there is (docs/console.md).
/// </summary>
public sealed class KeyboardLayout
{
    // Indexed by the character: the tables cover ASCII, and an array costs the NativeAOT build nothing a dictionary would.
    private readonly KeyStroke?[] _characters;

    private KeyboardLayout(string name, KeyStroke?[] characters)
    {
        Name = name;
        _characters = characters;
    }

    public string Name { get; }

    /// <summary>The layouts there are tables for.</summary>
    public static IReadOnlyList<string> Names { get; } = ["us"];

    public static KeyboardLayout? Find(string name) => name == "us" ? Us : null;

    /// <summary>US English (the ANSI 104-key board): what a BIOS and most installers assume.</summary>
    public static KeyboardLayout Us { get; } = new("us", UsTable());

    /// <summary>The stroke that types <paramref name="c"/>, or false when this layout has no key for it.</summary>
    public bool TryGet(char c, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out KeyStroke? stroke)
    {
        stroke = c < _characters.Length ? _characters[c] : null;
        return stroke is not null;
    }

    private static KeyStroke?[] UsTable()
    {
        var t = new KeyStroke?[128];
        void Add(char c, byte usage, bool shift = false) => t[c] = new KeyStroke(shift ? KeyModifiers.LeftShift : KeyModifiers.None, [usage]);
        for (var i = 0; i < 26; i++)
        {
            Add((char)('a' + i), (byte)(0x04 + i));
            Add((char)('A' + i), (byte)(0x04 + i), shift: true);
        }
        // Usages 0x1E..0x27 are 1..9 then 0, their shifted characters those of a US board.
        const string digits = "1234567890", shifted = "!@#$%^&*()";
        for (var i = 0; i < 10; i++)
        {
            Add(digits[i], (byte)(0x1e + i));
            Add(shifted[i], (byte)(0x1e + i), shift: true);
        }
        Add('\n', 0x28);
        Add('\t', 0x2b);
        Add(' ', 0x2c);
        // 0x2D..0x38 in usage order, unshifted and shifted (0x32, the non-US #, is not on an ANSI board).
        (byte Usage, char Plain, char Shifted)[] punctuation =
        [
            (0x2d, '-', '_'), (0x2e, '=', '+'), (0x2f, '[', '{'), (0x30, ']', '}'), (0x31, '\\', '|'),
            (0x33, ';', ':'), (0x34, '\'', '"'), (0x35, '`', '~'), (0x36, ',', '<'), (0x37, '.', '>'), (0x38, '/', '?'),
        ];
        foreach (var (usage, plain, shift) in punctuation)
        {
            Add(plain, usage);
            Add(shift, usage, shift: true);
        }
        return t;
    }
}
