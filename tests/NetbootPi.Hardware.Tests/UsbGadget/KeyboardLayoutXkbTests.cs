using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using NetbootPi.Hardware.UsbGadget;

namespace NetbootPi.Hardware.Tests.UsbGadget;

/// <summary>
/// Every layout table against libxkbcommon with xkeyboard-config's keymaps and X's compose table: what a Linux host
/// set to that layout types when it gets our strokes. Both ways: each character the table types comes out as itself,
/// and each character xkb puts on a key the gadget has (no modifier, Shift, AltGr, Shift+AltGr) the table can type.
/// </summary>
public sealed class KeyboardLayoutXkbTests
{
    // What the kernel's hid-input turns each usage of the layout-dependent block into (input-event-codes.h); xkb's
    // key code is the Linux one + 8.
    private static readonly (byte Usage, int Linux)[] UsageToLinux =
    [
        (0x04, 30), (0x05, 48), (0x06, 46), (0x07, 32), (0x08, 18), (0x09, 33), (0x0a, 34), (0x0b, 35), (0x0c, 23),
        (0x0d, 36), (0x0e, 37), (0x0f, 38), (0x10, 50), (0x11, 49), (0x12, 24), (0x13, 25), (0x14, 16), (0x15, 19),
        (0x16, 31), (0x17, 20), (0x18, 22), (0x19, 47), (0x1a, 17), (0x1b, 45), (0x1c, 21), (0x1d, 44),
        (0x1e, 2), (0x1f, 3), (0x20, 4), (0x21, 5), (0x22, 6), (0x23, 7), (0x24, 8), (0x25, 9), (0x26, 10), (0x27, 11),
        (0x28, 28), (0x2b, 15), (0x2c, 57), (0x2d, 12), (0x2e, 13), (0x2f, 26), (0x30, 27), (0x31, 43), (0x33, 39),
        (0x34, 40), (0x35, 41), (0x36, 51), (0x37, 52), (0x38, 53), (0x64, 86),
    ];

    private static readonly (KeyModifiers Bit, int Linux)[] ModifierKeys =
    [
        (KeyModifiers.LeftCtrl, 29), (KeyModifiers.LeftShift, 42), (KeyModifiers.LeftAlt, 56), (KeyModifiers.LeftGui, 125),
        (KeyModifiers.RightCtrl, 97), (KeyModifiers.RightShift, 54), (KeyModifiers.RightAlt, 100), (KeyModifiers.RightGui, 126),
    ];

    [Fact]
    public void Each_character_a_table_types_comes_out_of_xkb_as_itself()
    {
        using var xkb = Xkb.Open();
        var wrong = new List<string>();
        var checkedCount = 0;
        foreach (var layout in KeyboardLayout.All)
        {
            var keymap = xkb.Keymap(layout.Name);
            foreach (var c in layout.Characters)
            {
                Assert.True(layout.TryGet(c, out var strokes));
                var typed = xkb.Type(keymap, strokes);
                checkedCount++;
                // Enter's keysym is Return, whose character is a carriage return: what a newline is typed as.
                if (typed != (c == '\n' ? "\r" : c.ToString())) wrong.Add($"{layout.Name}: '{c}' (U+{(int)c:X4}) typed '{typed}' by {Describe(strokes)}");
            }
        }
        Assert.True(checkedCount > 1500, $"only {checkedCount} characters checked");
        Assert.Empty(wrong);
    }

    [Fact]
    public void Each_character_xkb_puts_on_a_key_the_table_can_type()
    {
        using var xkb = Xkb.Open();
        var missing = new List<string>();
        KeyModifiers[] levels = [KeyModifiers.None, KeyModifiers.LeftShift, KeyModifiers.RightAlt, KeyModifiers.LeftShift | KeyModifiers.RightAlt];
        foreach (var layout in KeyboardLayout.All)
        {
            var keymap = xkb.Keymap(layout.Name);
            foreach (var (usage, _) in UsageToLinux)
                for (var level = 0; level < levels.Length; level++)
                {
                    var (sym, reached) = xkb.Press(keymap, levels[level], usage);
                    // A level the modifiers do not reach repeats a lower one (Alt is not AltGr on a US board).
                    if (reached != level || Xkb.IsDead(sym)) continue;
                    var u = Xkb.Utf32(sym);
                    if (u is < 0x21 or > 0xfffe) continue;
                    var c = (char)u;
                    if (char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpaceSeparator) continue;
                    if (!layout.TryGet(c, out _)) missing.Add($"{layout.Name}: '{c}' (U+{u:X4}) on usage 0x{usage:x2} level {level + 1}");
                }
        }
        Assert.Empty(missing);
    }

    [Fact]
    public void Dead_keys_are_followed_by_space_and_a_plain_key_is_preferred()
    {
        using var xkb = Xkb.Open();
        var de = KeyboardLayout.Find("de")!;
        // '^' is only a dead key on a German board; '~' is AltGr++ there, not a dead key.
        Assert.True(de.TryGet('^', out var caret));
        Assert.Equal("0x35 then 0x2c", Describe(caret));
        Assert.True(Xkb.IsDead(xkb.Press(xkb.Keymap("de"), KeyModifiers.None, 0x35).Sym));
        Assert.True(de.TryGet('~', out var tilde));
        Assert.Equal("RightAlt+0x30", Describe(tilde));
        // On a French board the digits need Shift.
        Assert.True(KeyboardLayout.Find("fr")!.TryGet('1', out var one));
        Assert.Equal("LeftShift+0x1e", Describe(one));
    }

    private static string Describe(KeyStroke[] strokes) =>
        string.Join(" then ", strokes.Select(s => (s.Modifiers == KeyModifiers.None ? "" : s.Modifiers.ToString().Replace(", ", "+") + "+") + string.Join("+", s.Keys.Select(k => $"0x{k:x2}"))));

    /// <summary>libxkbcommon through P/Invoke: keymaps by RMLVO names, a state per stroke, and the en_US.UTF-8 compose table.</summary>
    private sealed class Xkb : IDisposable
    {
        private const string Lib = "libxkbcommon.so.0";
        private readonly IntPtr _context;
        private readonly IntPtr _compose;
        private readonly Dictionary<string, IntPtr> _keymaps = [];

        private Xkb(IntPtr context, IntPtr compose)
        {
            _context = context;
            _compose = compose;
        }

        public static Xkb Open()
        {
            if (!NativeLibrary.TryLoad(Lib, out _))
                throw Peers.SkipOrFail("libxkbcommon is not installed (Debian packages libxkbcommon0, xkb-data and libx11-data; tools/deps.sh installs them)");
            var context = xkb_context_new(0);
            var table = context == IntPtr.Zero ? IntPtr.Zero : xkb_compose_table_new_from_locale(context, "en_US.UTF-8", 0);
            if (table == IntPtr.Zero)
                throw Peers.SkipOrFail("xkb has no compose table for en_US.UTF-8 (Debian package libx11-data; tools/deps.sh installs it)");
            var compose = xkb_compose_state_new(table, 0);
            xkb_compose_table_unref(table);
            return new Xkb(context, compose);
        }

        public IntPtr Keymap(string name)
        {
            if (_keymaps.TryGetValue(name, out var known)) return known;
            var dash = name.IndexOf('-');
            var (layout, variant) = dash < 0 ? (name, "") : (name[..dash], name[(dash + 1)..]);
            var strings = new[] { "evdev", "pc105", layout, variant, "" }.Select(Marshal.StringToHGlobalAnsi).ToArray();
            try
            {
                var names = new RuleNames { Rules = strings[0], Model = strings[1], Layout = strings[2], Variant = strings[3], Options = strings[4] };
                var keymap = xkb_keymap_new_from_names(_context, ref names, 0);
                Assert.True(keymap != IntPtr.Zero, $"xkb has no layout {layout}({variant}) for our '{name}'");
                return _keymaps[name] = keymap;
            }
            finally
            {
                foreach (var s in strings) Marshal.FreeHGlobal(s);
            }
        }

        /// <summary>The keysym <paramref name="usage"/> gives with <paramref name="modifiers"/> held, and the level (0-based) that is.</summary>
        public (uint Sym, uint Level) Press(IntPtr keymap, KeyModifiers modifiers, byte usage)
        {
            var state = xkb_state_new(keymap);
            try
            {
                foreach (var (bit, linux) in ModifierKeys)
                    if ((modifiers & bit) != 0) xkb_state_update_key(state, (uint)linux + 8, 1);
                var code = (uint)UsageToLinux.Single(u => u.Usage == usage).Linux + 8;
                return (xkb_state_key_get_one_sym(state, code), xkb_state_key_get_level(state, code, 0));
            }
            finally
            {
                xkb_state_unref(state);
            }
        }

        /// <summary>What the strokes type: each key's keysym through the compose table, as a host's input method does.</summary>
        public string Type(IntPtr keymap, KeyStroke[] strokes)
        {
            xkb_compose_state_reset(_compose);
            var text = new StringBuilder();
            foreach (var stroke in strokes)
            {
                Assert.Single(stroke.Keys);
                var (sym, _) = Press(keymap, stroke.Modifiers, stroke.Keys[0]);
                xkb_compose_state_feed(_compose, sym);
                switch (xkb_compose_state_get_status(_compose))
                {
                    case ComposeNothing:
                        text.Append(char.ConvertFromUtf32((int)Utf32(sym)));
                        break;
                    case ComposeComposed:
                        var buffer = new byte[64];
                        var n = xkb_compose_state_get_utf8(_compose, buffer, (UIntPtr)buffer.Length);
                        text.Append(Encoding.UTF8.GetString(buffer, 0, n));
                        xkb_compose_state_reset(_compose);
                        break;
                    case ComposeCancelled:
                        text.Append("(cancelled)");
                        xkb_compose_state_reset(_compose);
                        break;
                }
            }
            return xkb_compose_state_get_status(_compose) == ComposeComposing ? text + "(composing)" : text.ToString();
        }

        public static bool IsDead(uint sym)
        {
            var buffer = new byte[64];
            var n = xkb_keysym_get_name(sym, buffer, (UIntPtr)buffer.Length);
            return n > 0 && Encoding.ASCII.GetString(buffer, 0, n).StartsWith("dead_", StringComparison.Ordinal);
        }

        public static uint Utf32(uint sym) => xkb_keysym_to_utf32(sym);

        public void Dispose()
        {
            foreach (var keymap in _keymaps.Values) xkb_keymap_unref(keymap);
            xkb_compose_state_unref(_compose);
            xkb_context_unref(_context);
        }

        private const int ComposeNothing = 0, ComposeComposing = 1, ComposeComposed = 2, ComposeCancelled = 3;

        [StructLayout(LayoutKind.Sequential)]
        private struct RuleNames
        {
            public IntPtr Rules, Model, Layout, Variant, Options;
        }

        [DllImport(Lib)] private static extern IntPtr xkb_context_new(int flags);
        [DllImport(Lib)] private static extern void xkb_context_unref(IntPtr context);
        [DllImport(Lib)] private static extern IntPtr xkb_keymap_new_from_names(IntPtr context, ref RuleNames names, int flags);
        [DllImport(Lib)] private static extern void xkb_keymap_unref(IntPtr keymap);
        [DllImport(Lib)] private static extern IntPtr xkb_state_new(IntPtr keymap);
        [DllImport(Lib)] private static extern void xkb_state_unref(IntPtr state);
        [DllImport(Lib)] private static extern int xkb_state_update_key(IntPtr state, uint key, int direction);
        [DllImport(Lib)] private static extern uint xkb_state_key_get_one_sym(IntPtr state, uint key);
        [DllImport(Lib)] private static extern uint xkb_state_key_get_level(IntPtr state, uint key, uint layout);
        [DllImport(Lib)] private static extern uint xkb_keysym_to_utf32(uint sym);
        [DllImport(Lib)] private static extern int xkb_keysym_get_name(uint sym, byte[] buffer, UIntPtr size);
        [DllImport(Lib)] private static extern IntPtr xkb_compose_table_new_from_locale(IntPtr context, [MarshalAs(UnmanagedType.LPStr)] string locale, int flags);
        [DllImport(Lib)] private static extern void xkb_compose_table_unref(IntPtr table);
        [DllImport(Lib)] private static extern IntPtr xkb_compose_state_new(IntPtr table, int flags);
        [DllImport(Lib)] private static extern void xkb_compose_state_unref(IntPtr state);
        [DllImport(Lib)] private static extern void xkb_compose_state_reset(IntPtr state);
        [DllImport(Lib)] private static extern int xkb_compose_state_feed(IntPtr state, uint sym);
        [DllImport(Lib)] private static extern int xkb_compose_state_get_status(IntPtr state);
        [DllImport(Lib)] private static extern int xkb_compose_state_get_utf8(IntPtr state, byte[] buffer, UIntPtr size);
    }
}
