using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace NetbootPi.Agent.Control;

/// <summary>
/// The control API's OpenAPI 3.1 document, written from the route table the router matches requests against (so
/// what is documented is what is served): per route its summary, role (<c>x-netbootpi-role</c>), whether it changes
/// anything, where it is served (socket, network or both), its query parameters, and the schemas of its body and
/// reply, read from the source-generated JSON metadata the handlers themselves use. No reflection: trim-safe.
/// </summary>
public static class OpenApiDocument
{
    public static byte[] Write(IEnumerable<ControlRoute> routes, string version)
    {
        var schemas = new SortedDictionary<string, JsonTypeInfo>(StringComparer.Ordinal);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("openapi", "3.1.0");
            w.WriteStartObject("info");
            w.WriteString("title", "netbootpi control API");
            w.WriteString("version", version);
            w.WriteString("description", "The boot box's control API: over the unix socket /run/netbootpi/control.sock (role from the caller's uid) and, with run --network-api, over HTTPS on the management address (bearer tokens, or a session cookie from POST /api/v1/login with X-CSRF-Token on changes). docs/control.md.");
            w.WriteEndObject();
            w.WriteStartObject("paths");
            foreach (var path in routes.GroupBy(r => r.Path).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                w.WriteStartObject(path.Key);
                foreach (var route in path.OrderBy(r => r.Method, StringComparer.Ordinal)) WriteOperation(w, route, schemas);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteStartObject("components");
            w.WriteStartObject("securitySchemes");
            w.WriteStartObject("token");
            w.WriteString("type", "http");
            w.WriteString("scheme", "bearer");
            w.WriteString("description", "An API token (nbp_...), made with netbootpi token create; its role and hosts limit it.");
            w.WriteEndObject();
            w.WriteStartObject("session");
            w.WriteString("type", "apiKey");
            w.WriteString("in", "cookie");
            w.WriteString("name", "netbootpi_session");
            w.WriteString("description", "The session cookie POST /api/v1/login sets; changes also need the X-CSRF-Token header it answered with.");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartObject("schemas");
            // Written as they are found; a schema may name others, which join the list while it is written.
            var written = new HashSet<string>(StringComparer.Ordinal);
            while (schemas.Keys.FirstOrDefault(k => !written.Contains(k)) is { } name)
            {
                written.Add(name);
                w.WritePropertyName(name);
                WriteObjectSchema(w, schemas[name], schemas);
            }
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void WriteOperation(Utf8JsonWriter w, ControlRoute route, SortedDictionary<string, JsonTypeInfo> schemas)
    {
        w.WriteStartObject(route.Method.ToLowerInvariant());
        w.WriteString("operationId", OperationId(route));
        w.WriteString("summary", route.Summary);
        w.WriteString("x-netbootpi-role", route.Role.ToString().ToLowerInvariant());
        w.WriteBoolean("x-netbootpi-changes", route.Changes);
        w.WriteString("x-netbootpi-over", route.NetworkOnly ? "network" : "socket and network");
        var segments = route.Path.Split('/').Where(s => s.StartsWith('{') && s.EndsWith('}')).Select(s => s[1..^1]).ToList();
        if (route.Query.Count > 0 || segments.Count > 0)
        {
            w.WriteStartArray("parameters");
            foreach (var name in segments)
            {
                w.WriteStartObject();
                w.WriteString("name", name);
                w.WriteString("in", "path");
                w.WriteBoolean("required", true);
                w.WriteString("description", $"the path's {name} segment (a name from the collection that lists it)");
                w.WriteStartObject("schema");
                w.WriteString("type", "string");
                w.WriteEndObject();
                w.WriteEndObject();
            }
            foreach (var q in route.Query)
            {
                w.WriteStartObject();
                w.WriteString("name", q.Name);
                w.WriteString("in", "query");
                w.WriteBoolean("required", q.Required);
                w.WriteString("description", q.Description);
                w.WriteStartObject("schema");
                w.WriteString("type", "string");
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (route.Body is { } body)
        {
            w.WriteStartObject("requestBody");
            w.WriteBoolean("required", true);
            WriteContent(w, body, schemas);
            w.WriteEndObject();
        }
        else if (route.RawBody is { } mediaType)
        {
            w.WriteStartObject("requestBody");
            w.WriteBoolean("required", true);
            w.WriteStartObject("content");
            w.WriteStartObject(mediaType);
            w.WriteStartObject("schema");
            w.WriteString("type", "string");
            // Text (the site file's YAML) is a string; anything else is bytes.
            if (!mediaType.StartsWith("text/", StringComparison.Ordinal) && mediaType != "application/yaml") w.WriteString("format", "binary");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        // Who may call it: nobody needs credentials for the anyone routes; the socket's callers are known by uid.
        w.WriteStartArray("security");
        if (route.Role == ControlRole.Anyone) w.WriteStartObject();
        else
        {
            w.WriteStartObject();
            w.WriteStartArray("token");
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartObject();
            w.WriteStartArray("session");
            w.WriteEndArray();
        }
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartObject("responses");
        w.WriteStartObject("200");
        w.WriteString("description", "done");
        if (route.Reply is { } reply) WriteContent(w, reply, schemas);
        else if (route.ReplyMediaType is { } media) WriteText(w, media);
        w.WriteEndObject();
        w.WriteStartObject("default");
        if (route.IsPage)
        {
            w.WriteString("description", "refused: without credentials or with an ended session a redirect (303) to the login page; a role short, a page saying so (403)");
            WriteText(w, "text/html");
        }
        else if (route.RefusalReply is { } refusal)
        {
            w.WriteString("description", "refused (400 bad input, 401 no credentials, 403 a role or scope short, 404, 409, 422, 429), in the protocol's own error shape");
            WriteContent(w, refusal, schemas);
        }
        else
        {
            w.WriteString("description", "refused (400 bad input, 401 no credentials, 403 a role or scope short, 404, 409, 422, 429): {\"error\": a sentence}");
            WriteContent(w, ControlJson.Default.ErrorReply, schemas);
        }
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static string OperationId(ControlRoute route)
    {
        // The API's paths without their common prefix; the web console's pages (/, /hosts, /assets/...) as they are.
        var path = route.Path.StartsWith("/api/v1/", StringComparison.Ordinal) ? route.Path["/api/v1".Length..] : route.Path;
        var words = path.Split('/', '-', '.', '{', '}', '$').Where(p => p.Length > 0).Select(p => char.ToUpperInvariant(p[0]) + p[1..]).ToList();
        return route.Method.ToLowerInvariant() + (words.Count == 0 ? "Root" : string.Concat(words));
    }

    private static void WriteText(Utf8JsonWriter w, string mediaType)
    {
        w.WriteStartObject("content");
        w.WriteStartObject(mediaType);
        w.WriteStartObject("schema");
        w.WriteString("type", "string");
        // A picture or a stream of them is bytes; HTML, CSS and JavaScript are text.
        if (!mediaType.StartsWith("text/", StringComparison.Ordinal) && !mediaType.EndsWith("javascript", StringComparison.Ordinal)) w.WriteString("format", "binary");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteContent(Utf8JsonWriter w, JsonTypeInfo type, SortedDictionary<string, JsonTypeInfo> schemas)
    {
        w.WriteStartObject("content");
        w.WriteStartObject("application/json");
        w.WritePropertyName("schema");
        WriteSchema(w, type, schemas);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteSchema(Utf8JsonWriter w, JsonTypeInfo type, SortedDictionary<string, JsonTypeInfo> schemas, bool nullable = false)
    {
        w.WriteStartObject();
        switch (type.Kind)
        {
            case JsonTypeInfoKind.Object:
                if (nullable)
                {
                    w.WriteStartArray("oneOf");
                    w.WriteStartObject();
                    w.WriteString("$ref", $"#/components/schemas/{type.Type.Name}");
                    w.WriteEndObject();
                    w.WriteStartObject();
                    w.WriteString("type", "null");
                    w.WriteEndObject();
                    w.WriteEndArray();
                }
                else w.WriteString("$ref", $"#/components/schemas/{type.Type.Name}");
                schemas.TryAdd(type.Type.Name, type);
                break;
            case JsonTypeInfoKind.Enumerable:
                WriteType(w, "array", nullable);
                w.WritePropertyName("items");
                WriteSchema(w, type.Options.GetTypeInfo(type.ElementType!), schemas);
                break;
            case JsonTypeInfoKind.Dictionary:
                // A map by name (kvmd's images): an object whose every property has the value's schema.
                WriteType(w, "object", nullable);
                w.WritePropertyName("additionalProperties");
                WriteSchema(w, type.Options.GetTypeInfo(type.ElementType!), schemas);
                break;
            default:
                var t = Nullable.GetUnderlyingType(type.Type) ?? type.Type;
                nullable |= Nullable.GetUnderlyingType(type.Type) is not null;
                if (t == typeof(string)) WriteType(w, "string", nullable);
                else if (t == typeof(bool)) WriteType(w, "boolean", nullable);
                else if (t == typeof(int) || t == typeof(long) || t == typeof(uint)) WriteType(w, "integer", nullable);
                else if (t == typeof(double)) WriteType(w, "number", nullable);
                else if (t == typeof(DateTimeOffset) || t == typeof(DateTime))
                {
                    WriteType(w, "string", nullable);
                    w.WriteString("format", "date-time");
                }
                else WriteType(w, "string", nullable);
                break;
        }
        w.WriteEndObject();
    }

    private static void WriteType(Utf8JsonWriter w, string type, bool nullable)
    {
        if (!nullable)
        {
            w.WriteString("type", type);
            return;
        }
        w.WriteStartArray("type");
        w.WriteStringValue(type);
        w.WriteStringValue("null");
        w.WriteEndArray();
    }

    private static void WriteObjectSchema(Utf8JsonWriter w, JsonTypeInfo type, SortedDictionary<string, JsonTypeInfo> schemas)
    {
        w.WriteStartObject();
        w.WriteString("type", "object");
        // A type that keeps what it does not name ([JsonExtensionData]: a Redfish PATCH, to refuse it by name) takes
        // any other property; that catch-all is no property of its own.
        w.WriteBoolean("additionalProperties", type.Properties.Any(p => p.IsExtensionData));
        w.WriteStartObject("properties");
        var required = new List<string>();
        foreach (var p in type.Properties.Where(p => !p.IsExtensionData))
        {
            w.WritePropertyName(p.Name);
            var propertyType = type.Options.GetTypeInfo(p.PropertyType);
            WriteSchema(w, propertyType, schemas, nullable: p.IsGetNullable && !p.PropertyType.IsValueType);
            if (p.IsRequired || !p.IsGetNullable || p.PropertyType.IsValueType) required.Add(p.Name);
        }
        w.WriteEndObject();
        w.WriteStartArray("required");
        foreach (var r in required) w.WriteStringValue(r);
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
