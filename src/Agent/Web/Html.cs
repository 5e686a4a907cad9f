using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace NetbootPi.Agent.Web;

/// <summary>
/// Small pieces every page writes: text made safe for HTML (everything that comes from the site, a host or a user
/// goes through <see cref="E"/>), times in UTC, durations, and the text that goes with a status colour (a colour is
/// never the only way a state is told).
/// </summary>
internal static class Html
{
    /// <summary>Encoded for an element's text or a quoted attribute.</summary>
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>A string property of <paramref name="e"/>, or null when it is missing or null.</summary>
    public static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v.ToString() : null;

    public static long Num(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;

    public static JsonElement Obj(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v : default;

    /// <summary>A UTC time as a <c>time</c> element (the page says its times are UTC).</summary>
    public static string Time(string? iso)
    {
        if (iso is null || !DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)) return "";
        var u = t.UtcDateTime;
        return $"<time datetime=\"{u:yyyy-MM-ddTHH:mm:ss.fffZ}\">{u:yyyy-MM-dd HH:mm:ss}</time>";
    }

    public static DateTimeOffset? Parse(string? iso) =>
        iso is not null && DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    /// <summary>A duration as people read it: 850 ms, 4.2 s, 3 min 5 s, 2 h 10 min, 3 d 4 h.</summary>
    public static string Duration(TimeSpan d)
    {
        if (d < TimeSpan.Zero) d = TimeSpan.Zero;
        if (d.TotalSeconds < 1) return $"{(int)d.TotalMilliseconds} ms";
        if (d.TotalSeconds < 60) return string.Create(CultureInfo.InvariantCulture, $"{d.TotalSeconds:0.0} s");
        if (d.TotalMinutes < 60) return $"{(int)d.TotalMinutes} min {d.Seconds} s";
        if (d.TotalHours < 24) return $"{(int)d.TotalHours} h {d.Minutes} min";
        return $"{(int)d.TotalDays} d {d.Hours} h";
    }

    /// <summary>
    /// Whether a boot event went wrong: an HTTP status of 400 or more for fetches and the audit, status 1 for power,
    /// recovery, consoles, images, alerts and the console host (their "not done"). DHCP events are completed exchanges.
    /// </summary>
    public static bool IsError(string? what, long status) => what switch
    {
        "dhcp" => false,
        "power" or "recovery" or "console" or "image" or "alert" or "kvm" => status != 0,
        _ => status >= 400,
    };

    /// <summary>A badge: a coloured mark whose words say the same (for a screen reader, a colour-blind eye, a grey print).</summary>
    public static void Badge(StringBuilder s, string level, string text) =>
        s.Append("<span class=\"badge ").Append(level).Append("\">").Append(E(text)).Append("</span>");

    /// <summary>The level (ok, warn, bad, idle) of a link state as networkd or the kernel says it.</summary>
    public static string LinkLevel(string? state) => state switch
    {
        null => "idle",
        _ when state.StartsWith("routable", StringComparison.Ordinal) || state.StartsWith("carrier", StringComparison.Ordinal)
            || state.StartsWith("up", StringComparison.Ordinal) || state.StartsWith("present", StringComparison.Ordinal) || state.StartsWith("active", StringComparison.Ordinal) => "ok",
        _ when state.StartsWith("missing", StringComparison.Ordinal) || state.StartsWith("off", StringComparison.Ordinal) || state.StartsWith("failed", StringComparison.Ordinal) => "bad",
        _ => "warn",
    };

    /// <summary>The level of a recovery phase (null: recovery does not watch the host).</summary>
    public static string RecoveryLevel(string? phase) => phase switch
    {
        null => "idle",
        "up" => "ok",
        "unknown" or "off" or "booting" => "idle",
        "waiting" or "cycling" => "warn",
        _ => "bad",
    };
}
