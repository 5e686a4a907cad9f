using System.Text;
using System.Text.Json;

namespace NetbootPi.Agent.Web;

/// <summary>
/// What one of the API's GET routes answered a page's caller: its status, its JSON (null when it refused or is not
/// JSON), its body as text (the Prometheus counters), and the refusal's sentence.
/// </summary>
internal sealed record ApiAnswer(int Status, JsonElement? Json, string Text, string? Error)
{
    public static ApiAnswer From(string path, int status, byte[] body, bool json)
    {
        var text = Encoding.UTF8.GetString(body);
        if (status == 200) return new ApiAnswer(status, json && body.Length > 0 ? JsonDocument.Parse(body).RootElement.Clone() : null, text, null);
        string? error = null;
        try
        {
            error = body.Length > 0 ? Html.Str(JsonDocument.Parse(body).RootElement, "error") : null;
        }
        catch (JsonException)
        {
            // A refusal without the API's shape: the status says enough.
        }
        return new ApiAnswer(status, null, text, error ?? $"{path} answered {status}");
    }
}
