using System.CommandLine.Parsing;
using System.Globalization;

namespace NetbootPi.Agent.Cli;

/// <summary>Durations on the command line: a number and a unit, <c>20s</c>, <c>2m</c>, <c>1h</c>.</summary>
internal static class Duration
{
    public static TimeSpan Parse(ArgumentResult r, string text, string option)
    {
        if (TryParse(text, out var span)) return span;
        r.AddError($"{option}: '{text}' is not a duration (a number and s, m or h: 20s, 2m, 1h)");
        return TimeSpan.Zero;
    }

    public static bool TryParse(string text, out TimeSpan span)
    {
        span = TimeSpan.Zero;
        if (text.Length < 2) return false;
        if (!int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0) return false;
        switch (text[^1])
        {
            case 's': span = TimeSpan.FromSeconds(n); return true;
            case 'm': span = TimeSpan.FromMinutes(n); return true;
            case 'h': span = TimeSpan.FromHours(n); return true;
            default: return false;
        }
    }
}
