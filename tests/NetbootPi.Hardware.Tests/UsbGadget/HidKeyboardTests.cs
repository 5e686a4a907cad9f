using Microsoft.Extensions.Time.Testing;
using NetbootPi.Hardware.UsbGadget;

namespace NetbootPi.Hardware.Tests.UsbGadget;

/// <summary>
/// The keyboard against a simulated host's HID parser (<see cref="SimulatedHost"/>): what arrives as key events, that
/// nothing stays down, and the layout and chord tables. The real kernel's side is the kernel lab's KvmGadgetTests.
/// </summary>
public sealed class HidKeyboardTests : IDisposable
{
    // Usages: HID Usage Tables 1.12 §10; mod0 left ctrl, mod1 left shift, mod2 left alt, mod6 right alt (AltGr).
    private readonly SimulatedHost _host = new();
    private readonly FakeTimeProvider _time = new();
    private readonly HidKeyboard _keyboard;

    public HidKeyboardTests() => _keyboard = new HidKeyboard(_host, _time);

    [Fact]
    public async Task Typing_presses_and_releases_each_character_with_shift_where_the_US_layout_needs_it()
    {
        await _keyboard.TypeAsync("Hi!\n", KeyboardLayout.Us, TestContext.Current.CancellationToken);
        // H (0x0b) with shift, i (0x0c), ! is shift+1 (0x1e), newline is Enter (0x28).
        Assert.Equal(["mod1+", "0x0b+", "mod1-", "0x0b-", "0x0c+", "0x0c-", "mod1+", "0x1e+", "mod1-", "0x1e-", "0x28+", "0x28-"], _host.Events);
        Assert.Empty(_host.Down);
    }

    [Fact]
    public async Task A_character_the_layout_lacks_refuses_the_whole_text_before_any_key()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => _keyboard.TypeAsync("ab€", KeyboardLayout.Us, TestContext.Current.CancellationToken));
        Assert.Equal("the us layout has no key for '€' (U+20AC) (character 3 of the text)", e.Message);
        Assert.Empty(_host.Events);
        await Assert.ThrowsAsync<ArgumentException>(() => _keyboard.TypeAsync(new string('a', HidKeyboard.MaxTextLength + 1), KeyboardLayout.Us, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_chord_repeated_waits_its_delay_on_the_clock()
    {
        Assert.True(KeyChord.TryParse("ctrl+alt+delete", out var chord, out _));
        var pressing = _keyboard.PressAsync(chord, 3, TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken);
        await WaitFor(() => _host.Events.Count == 6);
        Assert.Equal(["mod0+", "mod2+", "0x4c+", "mod0-", "mod2-", "0x4c-"], _host.Events);
        _time.Advance(TimeSpan.FromMilliseconds(200));
        await WaitFor(() => _host.Events.Count == 12);
        _time.Advance(TimeSpan.FromMilliseconds(200));
        await pressing;
        Assert.Equal(18, _host.Events.Count);
        Assert.Empty(_host.Down);
    }

    [Fact]
    public async Task Held_keys_stay_down_under_typing_until_released_and_a_host_that_left_finds_none()
    {
        Assert.True(KeyChord.TryParse("shift", out var shift, out _));
        await _keyboard.HoldAsync(shift, TestContext.Current.CancellationToken);
        await _keyboard.TypeAsync("a", KeyboardLayout.Us, TestContext.Current.CancellationToken);
        Assert.Equal(["mod1+", "0x04+", "0x04-"], _host.Events);
        Assert.Equal(["mod1"], _host.Down);

        // The host unplugs (the UDC leaves configured: the agent calls Reset), then comes back.
        _host.Unplug();
        _keyboard.Reset();
        _host.Configured = true;
        _host.Events.Clear();
        await _keyboard.TypeAsync("a", KeyboardLayout.Us, TestContext.Current.CancellationToken);
        Assert.Equal(["0x04+", "0x04-"], _host.Events);
        Assert.Equal(KeyModifiers.None, _keyboard.Held.Modifiers);
    }

    [Fact]
    public async Task A_held_key_is_released_alone_the_others_staying_down()
    {
        Assert.True(KeyChord.TryParse("ctrl", out var ctrl, out _));
        Assert.True(KeyChord.TryParse("a", out var a, out _));
        await _keyboard.HoldAsync(ctrl, TestContext.Current.CancellationToken);
        await _keyboard.HoldAsync(a, TestContext.Current.CancellationToken);
        await _keyboard.ReleaseAsync(ctrl, TestContext.Current.CancellationToken);
        Assert.Equal(["mod0+", "0x04+", "mod0-"], _host.Events);
        Assert.Equal(["0x04"], _host.Down);
        // A key not held: nothing changes for the host, but a report is sent (as kvmd's release of a key not down).
        await _keyboard.ReleaseAsync(ctrl, TestContext.Current.CancellationToken);
        await _keyboard.ReleaseAsync(a, TestContext.Current.CancellationToken);
        Assert.Empty(_host.Down);
        Assert.Equal(KeyModifiers.None, _keyboard.Held.Modifiers);
        Assert.Empty(_keyboard.Held.Keys);
    }

    [Fact]
    public async Task A_host_that_has_not_configured_the_gadget_is_said_to_be_absent()
    {
        _host.Configured = false;
        var e = await Assert.ThrowsAsync<UsbGadgetException>(() => _keyboard.TypeAsync("a", KeyboardLayout.Us, TestContext.Current.CancellationToken));
        Assert.Equal("the console host has not enumerated the USB gadget (the cable is out, the host is off or rebooting): no keys were sent", e.Message);
    }

    [Fact]
    public async Task A_caller_gone_mid_sequence_leaves_every_key_up()
    {
        Assert.True(KeyChord.TryParse("shift", out var shift, out _));
        await _keyboard.HoldAsync(shift, TestContext.Current.CancellationToken);
        using var gone = new CancellationTokenSource();
        Assert.True(KeyChord.TryParse("F12", out var f12, out _));
        var pressing = _keyboard.PressAsync(f12, 5, TimeSpan.FromSeconds(1), gone.Token);
        await WaitFor(() => _host.Events.Count == 3);
        await gone.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pressing);
        Assert.Equal(["mod1+", "0x45+", "0x45-", "mod1-"], _host.Events);
        Assert.Empty(_host.Down);
    }

    [Fact]
    public async Task The_LEDs_are_what_the_host_last_sent()
    {
        _host.SendLeds((byte)(KeyboardLeds.CapsLock | KeyboardLeds.NumLock));
        await WaitFor(() => _keyboard.Leds == (KeyboardLeds.CapsLock | KeyboardLeds.NumLock));
        _host.SendLeds(0);
        await WaitFor(() => _keyboard.Leds == KeyboardLeds.None);
    }

    [Theory]
    [InlineData("F12", KeyModifiers.None, new byte[] { 0x45 })]
    [InlineData("f1", KeyModifiers.None, new byte[] { 0x3a })]
    [InlineData("ctrl+alt+delete", KeyModifiers.LeftCtrl | KeyModifiers.LeftAlt, new byte[] { 0x4c })]
    [InlineData("shift+tab", KeyModifiers.LeftShift, new byte[] { 0x2b })]
    [InlineData("altgr+rctrl+0", KeyModifiers.RightAlt | KeyModifiers.RightCtrl, new byte[] { 0x27 })]
    [InlineData("meta+enter", KeyModifiers.LeftGui, new byte[] { 0x28 })]
    [InlineData("F24", KeyModifiers.None, new byte[] { 0x73 })]
    public void Chords_name_keys_and_modifiers(string text, KeyModifiers modifiers, byte[] keys)
    {
        Assert.True(KeyChord.TryParse(text, out var stroke, out var error), error);
        Assert.Equal(modifiers, stroke.Modifiers);
        Assert.Equal(keys, stroke.Keys);
    }

    [Fact]
    public void Chords_that_are_not_say_why()
    {
        Assert.False(KeyChord.TryParse("ctrl+", out _, out var empty));
        Assert.Equal("'ctrl+' has an empty key name (keys are joined by '+', like ctrl+alt+delete)", empty);
        Assert.False(KeyChord.TryParse("ctrl+foo", out _, out var unknown));
        Assert.StartsWith("unknown key 'foo' (keys: a-z, 0-9, f1-f24, enter", unknown);
        Assert.False(KeyChord.TryParse("a+b+c+d+e+f+g", out _, out var many));
        Assert.Equal("'a+b+c+d+e+f+g' presses more than 6 keys besides modifiers; a boot keyboard reports at most 6 at once", many);
    }

    [Fact]
    public void The_US_table_covers_printable_ASCII()
    {
        for (var c = ' '; c <= '~'; c++) Assert.True(KeyboardLayout.Us.TryGet(c, out _), $"'{c}'");
        Assert.True(KeyboardLayout.Us.TryGet('|', out var pipe));
        Assert.Equal((KeyModifiers.LeftShift, (byte)0x31), (Assert.Single(pipe).Modifiers, pipe[0].Keys[0]));
        // Not the ISO key, which a US host on an ANSI board does not have (Windows reads it as '\').
        Assert.True(KeyboardLayout.Us.TryGet('<', out var less));
        Assert.Equal((KeyModifiers.LeftShift, (byte)0x36), (Assert.Single(less).Modifiers, less[0].Keys[0]));
        Assert.False(KeyboardLayout.Us.TryGet('é', out _));
    }

    [Fact]
    public async Task A_German_host_gets_AltGr_for_at_and_a_dead_key_and_space_for_a_circumflex()
    {
        var de = KeyboardLayout.Find("DE")!;
        await _keyboard.TypeAsync("@^ä", de, TestContext.Current.CancellationToken);
        // AltGr+Q; then ^ (the key left of 1, dead on a German board) and space; then the key right of Ö.
        Assert.Equal(["mod6+", "0x14+", "mod6-", "0x14-", "0x35+", "0x35-", "0x2c+", "0x2c-", "0x34+", "0x34-"], _host.Events);
        Assert.Empty(_host.Down);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => _keyboard.TypeAsync("a€ñ", KeyboardLayout.Find("gb")!, TestContext.Current.CancellationToken));
        Assert.Equal("the gb layout has no key for 'ñ' (U+00F1) (character 3 of the text)", e.Message);
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        // The keyboard runs on other threads (the LED reader, a sequence after its delay): wait for its effect, bounded.
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10, TestContext.Current.CancellationToken);
        Assert.True(condition());
    }

    public void Dispose() => _keyboard.Dispose();
}
