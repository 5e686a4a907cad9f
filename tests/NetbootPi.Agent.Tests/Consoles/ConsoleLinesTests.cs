using System.Text;
using NetbootPi.Agent.Consoles;

namespace NetbootPi.Agent.Tests.Consoles;

/// <summary>A console's bytes into lines: what firmware, kernels and login prompts actually send.</summary>
public class ConsoleLinesTests
{
    private static List<string> Lines(ConsoleLines parser, params string[] chunks)
    {
        var lines = new List<string>();
        foreach (var c in chunks) parser.Feed(Encoding.UTF8.GetBytes(c), lines);
        return lines;
    }

    [Fact]
    public void Line_ends_of_every_kind_and_no_empty_lines()
    {
        var p = new ConsoleLines();
        Assert.Equal(["SeaBIOS (version 1.16.2)", "iPXE 1.21.1", "[    0.000000] Linux version 6.1", "tab here"],
            Lines(p, "SeaBIOS (version 1.16.2)\r\n\r\n\r\niPXE 1.21.1\n", "[    0.000000] Linux version 6.1\r", "tab\there\n"));
        Assert.False(p.HasPartial);
    }

    [Fact]
    public void Escape_sequences_and_control_characters_are_dropped()
    {
        var p = new ConsoleLines();
        // Colours (CSI ... m), a screen clear and cursor home (ESC c, CSI 2J, CSI H), a title (OSC ... BEL), a bell.
        Assert.Equal(["  OK   Started ssh.service", "Welcome"],
            Lines(p, "\x1b[0;32m  OK  \x1b[0m Started ssh.service\n", "\u001bc\x1b[2J\x1b[H\x1b]0;title\aWel\acome\n"));
        // A sequence cut between two reads is still taken out whole.
        Assert.Equal(["redgreen"], Lines(p, "red\x1b[3", "2mgreen\n"));
    }

    [Fact]
    public void A_character_cut_between_reads_is_kept_and_invalid_bytes_are_replaced()
    {
        var p = new ConsoleLines();
        var lines = new List<string>();
        var e = Encoding.UTF8.GetBytes("café\n");
        p.Feed(e.AsSpan(0, 4), lines);
        p.Feed(e.AsSpan(4), lines);
        p.Feed([0x41, 0xff, 0x42, (byte)'\n'], lines);
        Assert.Equal(["café", "A\ufffdB"], lines);
    }

    [Fact]
    public void A_prompt_without_a_newline_waits_for_the_caller_and_long_lines_are_cut()
    {
        var p = new ConsoleLines();
        Assert.Empty(Lines(p, "nuc1 login: "));
        Assert.True(p.HasPartial);
        Assert.Equal("nuc1 login:", p.TakePartial());
        Assert.Null(p.TakePartial());
        var lines = Lines(p, new string('x', ConsoleLines.MaxLine + 10) + "\n");
        Assert.Equal([ConsoleLines.MaxLine, 10], lines.Select(l => l.Length));
    }
}
