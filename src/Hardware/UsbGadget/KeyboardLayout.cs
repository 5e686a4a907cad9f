namespace NetbootPi.Hardware.UsbGadget;

/// <summary>
/// Text to key strokes for the layout the console host's keyboard is set to: the host, not the gadget, turns usages
/// into characters, so typing "@" means pressing the key that is "@" in the host's layout (AltGr+Q on a German one).
/// The tables (KeyboardLayout.Tables.cs) are xkeyboard-config's, written by tools/keyboard-layouts.py; docs/console.md
/// lists them and what they cannot do.
/// </summary>
public sealed partial class KeyboardLayout
{
    private const byte Enter = 0x28, Tab = 0x2b, Space = 0x2c;

    // The ISO key beside left Shift: a host set to US on an ANSI board has no such key (Windows reads it as '\'), so
    // it is the last choice for a character another key also types.
    private const byte IsoKey = 0x64;

    private static readonly KeyModifiers[] LevelModifiers =
        [KeyModifiers.None, KeyModifiers.LeftShift, KeyModifiers.RightAlt, KeyModifiers.LeftShift | KeyModifiers.RightAlt];

    private static readonly KeyStroke[] SpaceAfterDeadKey = [new KeyStroke(KeyModifiers.None, [Space])];

    private static readonly Lazy<KeyboardLayout[]> Built = new(() => Array.ConvertAll(Tables, t => new KeyboardLayout(t)));

    private readonly Dictionary<char, KeyStroke[]> _characters = [];

    private KeyboardLayout(LayoutTable table)
    {
        Name = table.Name;
        Description = table.Description;
        Add('\n', new KeyStroke(KeyModifiers.None, [Enter]), 0);
        Add('\t', new KeyStroke(KeyModifiers.None, [Tab]), 0);
        Add(' ', new KeyStroke(KeyModifiers.None, [Space]), 0);
        // Each character gets the cheapest way to type it: a plain key before a dead key and its space, any key before
        // the ISO one, fewer modifiers before more.
        var cost = new Dictionary<char, int>();
        foreach (var row in table.Rows)
            for (var level = 0; level < LevelModifiers.Length; level++)
            {
                var c = row.Levels[level];
                if (c == '\0') continue;
                var dead = (row.Dead & (1 << level)) != 0;
                var price = (dead ? 100 : 0) + (row.Usage == IsoKey ? 10 : 0) + level;
                if (cost.TryGetValue(c, out var known) && known <= price) continue;
                cost[c] = price;
                Add(c, new KeyStroke(LevelModifiers[level], [row.Usage]), dead ? 1 : 0);
            }
    }

    /// <summary>The name sites and requests use: xkb's, with "-variant" for a variant (us, de, ch-fr, us-dvorak).</summary>
    public string Name { get; }

    /// <summary>The layout in words, for lists: "German (Switzerland)".</summary>
    public string Description { get; }

    /// <summary>The layouts there are tables for.</summary>
    public static IReadOnlyList<KeyboardLayout> All => Built.Value;

    /// <summary>Their names, in the tables' order (us first).</summary>
    public static IReadOnlyList<string> Names => Array.ConvertAll(Built.Value, l => l.Name);

    /// <summary>US English: what a BIOS, a UEFI setup screen and most installers assume.</summary>
    public static KeyboardLayout Us => Built.Value[0];

    public static KeyboardLayout? Find(string name) => Array.Find(Built.Value, l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Every character this layout types.</summary>
    public IEnumerable<char> Characters => _characters.Keys;

    /// <summary>
    /// The strokes that type <paramref name="c"/>: one, or a dead key and a space for an accent alone (^ on a German
    /// board); false when this layout has no key for it.
    /// </summary>
    public bool TryGet(char c, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out KeyStroke[]? strokes) =>
        _characters.TryGetValue(c, out strokes);

    public override string ToString() => Name;

    private void Add(char c, KeyStroke stroke, int deadKeys) =>
        _characters[c] = deadKeys == 0 ? [stroke] : [stroke, .. SpaceAfterDeadKey];

    /// <summary>One key of a table: its usage, its characters with no modifier, Shift, AltGr, Shift+AltGr, and which of them are dead.</summary>
    private sealed class Row(byte usage, string levels, byte dead)
    {
        public byte Usage { get; } = usage;

        public string Levels { get; } = levels;

        public byte Dead { get; } = dead;
    }

    private sealed class LayoutTable(string name, string description, Row[] rows)
    {
        public string Name { get; } = name;

        public string Description { get; } = description;

        public Row[] Rows { get; } = rows;
    }
}
