using System.Text.Json;

namespace NetbootPi.Agent.Capture;

/// <summary>
/// ustreamer's <c>/state</c>, the parts the agent shows: the resolution it captures, whether the source gives a
/// signal (<c>online</c>), the frame rates, how many clients watch its stream.
/// </summary>
public sealed record UstreamerState(int Width, int Height, bool Online, int DesiredFps, int CapturedFps, int Clients)
{
    /// <summary>
    /// Reads <c>{"ok": true, "result": {"source": {"resolution": {"width", "height"}, "online", "desired_fps",
    /// "captured_fps"}, "stream": {"clients"}}}</c>; fields it lacks read as 0 or false. Null when it is not that shape.
    /// </summary>
    public static UstreamerState? Parse(ReadOnlySpan<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException)
        {
            return null;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Object) return null;
            var source = Child(result, "source");
            var resolution = source is { } s ? Child(s, "resolution") : null;
            var stream = Child(result, "stream");
            return new UstreamerState(
                Int(resolution, "width"), Int(resolution, "height"),
                source is { } so && so.TryGetProperty("online", out var online) && online.ValueKind == JsonValueKind.True,
                Int(source, "desired_fps"), Int(source, "captured_fps"), Int(stream, "clients"));
        }
    }

    private static JsonElement? Child(JsonElement e, string name) =>
        e.TryGetProperty(name, out var c) && c.ValueKind == JsonValueKind.Object ? c : null;

    private static int Int(JsonElement? e, string name) =>
        e is { } o && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : 0;
}
