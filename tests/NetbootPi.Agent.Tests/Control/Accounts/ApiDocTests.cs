using System.Text;
using System.Text.Json;
using NetbootPi.Agent.Tests.Site;
using NetbootPi.Agent.Tests.Support;

namespace NetbootPi.Agent.Tests.Control.Accounts;

/// <summary>
/// The OpenAPI document the running agent serves covers every route its router matches, each with a role, a
/// summary and its reply's schema; docs/api.md is that document as a table, checked here for drift
/// (NETBOOTPI_UPDATE_GOLDEN=1 rewrites it from the agent: then review the diff).
/// </summary>
public class ApiDocTests
{
    private static readonly string[] Roles = ["anyone", "viewer", "operator", "admin"];

    [Fact]
    public async Task The_OpenAPI_document_covers_every_route_and_docs_api_md_is_it()
    {
        Peers.RequireRoot();
        Curl.RequireInstalled();
        using var box = new AccountAgent();
        box.Start();
        var token = await box.Token("viewer");
        var table = box.Curl("GET", "/api/v1/endpoints", "-H", $"Authorization: Bearer {token}");
        var doc = box.Curl("GET", "/api/v1/openapi.json", "-H", $"Authorization: Bearer {token}");
        Assert.Equal((200, 200), (table.Status, doc.Status));

        using var openapi = JsonDocument.Parse(doc.Text);
        var root = openapi.RootElement;
        Assert.Equal("3.1.0", root.GetProperty("openapi").GetString());
        var operations = root.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => (Key: $"{m.Name.ToUpperInvariant()} {p.Name}", Op: m.Value))).ToList();
        var routes = JsonDocument.Parse(table.Text).RootElement.EnumerateArray()
            .Select(e => $"{e.GetProperty("method").GetString()} {e.GetProperty("path").GetString()}").Order().ToList();
        Assert.Equal(routes, operations.Select(o => o.Key).Order());
        foreach (var (key, op) in operations)
        {
            Assert.True(op.GetProperty("summary").GetString() is { Length: > 10 }, $"{key} has no summary");
            Assert.Contains(op.GetProperty("x-netbootpi-role").GetString(), Roles);
            Assert.True(op.GetProperty("responses").TryGetProperty("default", out _), $"{key} does not say how it refuses");
        }
        // Every schema a route names is in the document, and none is left empty but kvmd's empty result ({}), which is.
        var schemas = root.GetProperty("components").GetProperty("schemas");
        foreach (var reference in Refs(root)) Assert.True(schemas.TryGetProperty(reference["#/components/schemas/".Length..], out _), $"{reference} is not in the document");
        Assert.All(schemas.EnumerateObject().Where(s => s.Name != "KvmdEmpty"), s => Assert.NotEmpty(s.Value.GetProperty("properties").EnumerateObject()));
        // What a secret-bearing reply promises: a token's listing has no secret; the reply that makes one has it once.
        Assert.False(schemas.GetProperty("TokenReply").GetProperty("properties").TryGetProperty("secret", out _));
        Assert.True(schemas.GetProperty("TokenCreatedReply").GetProperty("properties").TryGetProperty("secret", out _));
        Assert.False(schemas.GetProperty("UserReply").GetProperty("properties").TryGetProperty("password", out _));

        var markdown = Render(root);
        var path = Path.Combine(SiteText.RepoRoot, "docs", "api.md");
        if (Golden.Updating) File.WriteAllText(path, markdown);
        else Assert.Equal(File.ReadAllText(path), markdown);
    }

    private static IEnumerable<string> Refs(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    if (p.Name == "$ref") yield return p.Value.GetString()!;
                    else foreach (var r in Refs(p.Value)) yield return r;
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray()) foreach (var r in Refs(item)) yield return r;
                break;
        }
    }

    /// <summary>docs/api.md: the document's operations as a table, then each body's and reply's fields.</summary>
    private static string Render(JsonElement root)
    {
        var s = new StringBuilder();
        s.Append("# The control API, endpoint by endpoint\n\n");
        s.Append("Generated from the OpenAPI document the agent serves (`GET /api/v1/openapi.json`), which is written from the route\n");
        s.Append("table its router matches requests against; `ApiDocTests` fails when this file and the agent differ\n");
        s.Append("(`NETBOOTPI_UPDATE_GOLDEN=1` rewrites it). How to call it, who may, and why: [control.md](control.md),\n");
        s.Append("[security.md](security.md).\n\n");
        s.Append("| method and path | role | over | what | query | body | reply |\n|---|---|---|---|---|---|---|\n");
        foreach (var path in root.GetProperty("paths").EnumerateObject())
        {
            foreach (var m in path.Value.EnumerateObject())
            {
                var op = m.Value;
                var query = op.TryGetProperty("parameters", out var ps)
                    ? string.Join(", ", ps.EnumerateArray().Select(p => $"`{p.GetProperty("name").GetString()}`{(p.GetProperty("required").GetBoolean() ? "" : " (optional)")}: {p.GetProperty("description").GetString()}"))
                    : "";
                var body = op.TryGetProperty("requestBody", out var rb) ? Schema(rb) : "";
                var reply = op.GetProperty("responses").GetProperty("200").TryGetProperty("content", out _) ? Schema(op.GetProperty("responses").GetProperty("200")) : "";
                s.Append($"| `{m.Name.ToUpperInvariant()} {path.Name}` | {op.GetProperty("x-netbootpi-role").GetString()} | {op.GetProperty("x-netbootpi-over").GetString()} | {Cell(op.GetProperty("summary").GetString()!)} | {Cell(query)} | {body} | {reply} |\n");
            }
        }
        s.Append("\nEvery refusal is `{\"error\": \"a sentence\"}` with its status (400 bad input, 401 no credentials, 403 a role or\n");
        s.Append("a token's hosts short, 404, 405 with `Allow:`, 409, 422, 429 with `Retry-After`), except on the Redfish paths\n");
        s.Append("(`/redfish/...`) and kvmd's (`/api/auth/...`, `/api/atx...`, `/api/msd...`, `/api/hid/...`, `/api/streamer/...`), which\n");
        s.Append("refuse in their protocol's own error shape ([compat.md](compat.md)).\n\n## Schemas\n");
        foreach (var schema in root.GetProperty("components").GetProperty("schemas").EnumerateObject())
        {
            s.Append($"\n### {schema.Name}\n| field | type | required |\n|---|---|---|\n");
            var required = schema.Value.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ToHashSet();
            foreach (var p in schema.Value.GetProperty("properties").EnumerateObject())
                s.Append($"| `{p.Name}` | {TypeOf(p.Value)} | {(required.Contains(p.Name) ? "yes" : "no")} |\n");
        }
        return s.ToString();
    }

    /// <summary>The JSON schema's type, or a raw body's media type (an image upload's bytes).</summary>
    private static string Schema(JsonElement withContent)
    {
        var content = withContent.GetProperty("content").EnumerateObject().Single();
        return content.Name == "application/json" ? TypeOf(content.Value.GetProperty("schema")) : $"`{content.Name}`";
    }

    private static string TypeOf(JsonElement schema)
    {
        if (schema.TryGetProperty("$ref", out var r)) return $"[{r.GetString()!["#/components/schemas/".Length..]}](#{r.GetString()!["#/components/schemas/".Length..].ToLowerInvariant()})";
        if (schema.TryGetProperty("oneOf", out var one)) return string.Join(" or ", one.EnumerateArray().Select(TypeOf));
        var type = schema.GetProperty("type");
        var name = type.ValueKind == JsonValueKind.Array ? string.Join(" or ", type.EnumerateArray().Select(t => t.GetString())) : type.GetString()!;
        if (name.StartsWith("array", StringComparison.Ordinal)) name = name.Replace("array", $"array of {TypeOf(schema.GetProperty("items"))}", StringComparison.Ordinal);
        if (schema.TryGetProperty("format", out var f)) name += $" ({f.GetString()})";
        return name;
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
