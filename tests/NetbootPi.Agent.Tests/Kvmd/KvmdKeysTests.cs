using NetbootPi.Agent.Kvmd;
using NetbootPi.Hardware.UsbGadget;

namespace NetbootPi.Agent.Tests.Kvmd;

/// <summary>kvmd's key names (the web's KeyboardEvent.code values) and keymap names as the box's keys and layouts.</summary>
public sealed class KvmdKeysTests
{
    [Theory]
    [InlineData("KeyA", "a")]
    [InlineData("KeyZ", "z")]
    [InlineData("Digit0", "0")]
    [InlineData("F1", "f1")]
    [InlineData("F24", "f24")]
    [InlineData("Enter", "enter")]
    [InlineData("NumpadEnter", "enter")]
    [InlineData("Escape", "esc")]
    [InlineData("ArrowUp", "up")]
    [InlineData("Backquote", "grave")]
    [InlineData("ControlLeft", "ctrl")]
    [InlineData("AltRight", "ralt")]
    [InlineData("MetaLeft", "meta")]
    public void A_code_is_the_key_of_that_place(string code, string name)
    {
        Assert.Equal(name, KvmdKeys.NameOf(code));
        // Every name given is one the chord parser takes.
        Assert.True(KeyChord.TryParse(name, out _, out var error), error);
    }

    [Theory]
    [InlineData("Keya")]
    [InlineData("KeyAB")]
    [InlineData("F0")]
    [InlineData("F01")]
    [InlineData("F25")]
    [InlineData("a")]
    [InlineData("ctrl")]
    [InlineData("Numpad1")]
    [InlineData("")]
    public void A_name_that_is_no_code_of_a_key_the_box_has_is_none(string code) => Assert.Null(KvmdKeys.NameOf(code));

    [Theory]
    [InlineData("en-us", "us")]
    [InlineData("de-ch", "ch")]
    [InlineData("fr-be", "be")]
    [InlineData("de", "de")]
    [InlineData("US", "us")]
    public void A_keymap_is_found_by_kvmds_name_or_the_boxs(string keymap, string layout) => Assert.Equal(layout, KvmdKeys.Layout(keymap)?.Name);

    [Fact]
    public void A_keymap_the_box_has_not_is_none() => Assert.Null(KvmdKeys.Layout("klingon"));
}
