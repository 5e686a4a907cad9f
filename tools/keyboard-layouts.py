#!/usr/bin/env python3
"""Writes src/Hardware/UsbGadget/KeyboardLayout.Tables.cs: what each key of a 105-key board types in each layout
NetbootPi knows, as xkeyboard-config (the keymaps of X, Wayland and most Linux consoles' setup tools) defines it.

Run it when a layout is added (and say so in the commit); the tables are data in the source, so the Pi needs no
keymap files. NetbootPi.Hardware.Tests' KeyboardLayoutXkbTests checks the tables against libxkbcommon on every run
(independently of this script: its own queries, through P/Invoke).

  python3 tools/keyboard-layouts.py > src/Hardware/UsbGadget/KeyboardLayout.Tables.cs

Needs libxkbcommon0, xkb-data and libx11-data (the compose table that turns a dead key and space into its accent).
"""
import ctypes
import subprocess
import sys

# (our name, xkb layout, xkb variant, description): our name is xkb's, with "-variant" for a variant.
LAYOUTS = [
    ("us", "us", "", "English (US)"),
    ("us-intl", "us", "intl", "English (US, international with dead keys)"),
    ("us-dvorak", "us", "dvorak", "English (Dvorak)"),
    ("gb", "gb", "", "English (UK)"),
    ("de", "de", "", "German"),
    ("ch", "ch", "", "German (Switzerland)"),
    ("ch-fr", "ch", "fr", "French (Switzerland)"),
    ("fr", "fr", "", "French (AZERTY)"),
    ("be", "be", "", "Belgian"),
    ("es", "es", "", "Spanish"),
    ("latam", "latam", "", "Spanish (Latin American)"),
    ("pt", "pt", "", "Portuguese"),
    ("it", "it", "", "Italian"),
    ("se", "se", "", "Swedish"),
    ("no", "no", "", "Norwegian"),
    ("dk", "dk", "", "Danish"),
    ("fi", "fi", "", "Finnish"),
    ("pl", "pl", "", "Polish"),
    ("cz", "cz", "", "Czech"),
    ("hu", "hu", "", "Hungarian"),
]

# The keys whose characters depend on the layout, as HID usages (Usage Tables §10) with the Linux key code the
# kernel's hid-input gives each (input-event-codes.h); xkb's key code is Linux's + 8. 0x32 (non-US #) is left out:
# Linux reads it as KEY_BACKSLASH, the same key as 0x31. 0x64 is the ISO key beside left Shift.
KEYS = [(0x04 + i, code) for i, code in enumerate(
    [30, 48, 46, 32, 18, 33, 34, 35, 23, 36, 37, 38, 50, 49, 24, 25, 16, 19, 31, 20, 22, 47, 17, 45, 21, 44])]
KEYS += [(0x1e + i, 2 + i) for i in range(10)]
KEYS += [(0x2d, 12), (0x2e, 13), (0x2f, 26), (0x30, 27), (0x31, 43), (0x33, 39), (0x34, 40), (0x35, 41),
         (0x36, 51), (0x37, 52), (0x38, 53), (0x64, 86)]
KEY_LEFTSHIFT, KEY_RIGHTALT, KEY_SPACE = 42, 100, 57
# Levels as the modifiers held: none, Shift, AltGr, Shift+AltGr.
LEVELS = [(), (KEY_LEFTSHIFT,), (KEY_RIGHTALT,), (KEY_LEFTSHIFT, KEY_RIGHTALT)]

x = ctypes.CDLL("libxkbcommon.so.0")
x.xkb_context_new.restype = ctypes.c_void_p
x.xkb_keymap_new_from_names.restype = ctypes.c_void_p
x.xkb_keymap_new_from_names.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
x.xkb_state_new.restype = ctypes.c_void_p
x.xkb_state_new.argtypes = [ctypes.c_void_p]
x.xkb_state_unref.argtypes = [ctypes.c_void_p]
x.xkb_state_update_key.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int]
x.xkb_state_key_get_one_sym.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
x.xkb_state_key_get_one_sym.restype = ctypes.c_uint32
x.xkb_state_key_get_level.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32]
x.xkb_state_key_get_level.restype = ctypes.c_uint32
x.xkb_keysym_to_utf32.argtypes = [ctypes.c_uint32]
x.xkb_keysym_to_utf32.restype = ctypes.c_uint32
x.xkb_keysym_get_name.argtypes = [ctypes.c_uint32, ctypes.c_char_p, ctypes.c_size_t]
x.xkb_compose_table_new_from_locale.restype = ctypes.c_void_p
x.xkb_compose_table_new_from_locale.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
x.xkb_compose_state_new.restype = ctypes.c_void_p
x.xkb_compose_state_new.argtypes = [ctypes.c_void_p, ctypes.c_int]
x.xkb_compose_state_feed.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
x.xkb_compose_state_get_status.argtypes = [ctypes.c_void_p]
x.xkb_compose_state_get_utf8.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
x.xkb_compose_state_reset.argtypes = [ctypes.c_void_p]
XKB_COMPOSE_COMPOSED = 2


class RuleNames(ctypes.Structure):
    _fields_ = [(n, ctypes.c_char_p) for n in ("rules", "model", "layout", "variant", "options")]


ctx = x.xkb_context_new(0)
compose = x.xkb_compose_state_new(x.xkb_compose_table_new_from_locale(ctx, b"en_US.UTF-8", 0), 0)
if not ctx or not compose:
    sys.exit("libxkbcommon has no context or no en_US.UTF-8 compose table (install libxkbcommon0, libx11-data)")


def sym_name(sym):
    buf = ctypes.create_string_buffer(64)
    x.xkb_keysym_get_name(sym, buf, 64)
    return buf.value.decode()


def dead_then_space(sym):
    """What a dead key followed by space types (its accent alone), or None."""
    x.xkb_compose_state_reset(compose)
    x.xkb_compose_state_feed(compose, sym)
    space_sym = 0x20
    x.xkb_compose_state_feed(compose, space_sym)
    if x.xkb_compose_state_get_status(compose) != XKB_COMPOSE_COMPOSED:
        return None
    buf = ctypes.create_string_buffer(16)
    x.xkb_compose_state_get_utf8(compose, buf, 16)
    text = buf.value.decode()
    return text if len(text) == 1 else None


def printable(u):
    """A character typed on its own: not a control, a space, a combining mark, or beyond the BMP (one UTF-16 unit)."""
    return 0x20 < u < 0xFFFF and not (0x7f <= u <= 0xa0) and not (0x300 <= u < 0x370) and chr(u).isprintable()


def table(layout, variant):
    names = RuleNames(b"evdev", b"pc105", layout.encode(), variant.encode(), b"")
    keymap = x.xkb_keymap_new_from_names(ctx, ctypes.byref(names), 0)
    if not keymap:
        sys.exit(f"xkb has no layout {layout}({variant})")
    rows = []
    for usage, code in KEYS:
        cells, dead = [], 0
        for level, held in enumerate(LEVELS):
            state = x.xkb_state_new(keymap)
            for h in held:
                x.xkb_state_update_key(state, h + 8, 1)  # XKB_KEY_DOWN
            sym = x.xkb_state_key_get_one_sym(state, code + 8)
            reached = x.xkb_state_key_get_level(state, code + 8, 0)
            x.xkb_state_unref(state)
            c = ""
            # A level the modifiers do not reach (Alt on a US board is not AltGr) repeats a lower one: left out.
            if reached == level:
                if sym_name(sym).startswith("dead_"):
                    c = dead_then_space(sym) or ""
                    if c and printable(ord(c)):
                        dead |= 1 << level
                    else:
                        c = ""
                else:
                    u = x.xkb_keysym_to_utf32(sym)
                    if printable(u):
                        c = chr(u)
            cells.append(c or "\0")
        if any(ch != "\0" for ch in cells):
            rows.append((usage, "".join(cells), dead))
    return rows


def literal(s):
    out = []
    for ch in s:
        if ch == "\0":
            out.append("\\0")
        elif ch in "\\\"":
            out.append("\\" + ch)
        elif ord(ch) > 0x7e and not ch.isprintable() or ch in "\u00a0\u2007\u202f":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "\"" + "".join(out) + "\""


def version():
    try:
        return subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "xkb-data"], capture_output=True, text=True).stdout
    except OSError:
        return "unknown"


print("// <auto-generated>")
print(f"// Written by tools/keyboard-layouts.py from xkeyboard-config (xkb-data {version()}); run it again rather than edit.")
print("// Each row: a key's HID usage, what it types with no modifier, Shift, AltGr and Shift+AltGr ('\\0': nothing), and")
print("// a mask of those levels that are dead keys (the character is the accent they type before a space).")
print("// </auto-generated>")
print("namespace NetbootPi.Hardware.UsbGadget;")
print()
print("public sealed partial class KeyboardLayout")
print("{")
print("    private static readonly LayoutTable[] Tables =")
print("    [")
for name, layout, variant, description in LAYOUTS:
    print(f"        new(\"{name}\", \"{description}\",")
    print("        [")
    for usage, cells, dead in table(layout, variant):
        print(f"            new(0x{usage:02x}, {literal(cells)}, 0b{dead:04b}),")
    print("        ]),")
print("    ];")
print("}")
