namespace NetbootPi.Agent.Http;

/// <summary>The few content types boot clients and people fetch from the box.</summary>
internal static class ContentTypes
{
    public const string Text = "text/plain; charset=utf-8";
    public const string Gzip = "application/gzip";
    public const string Binary = "application/octet-stream";

    public static string ForFile(string name) => Path.GetExtension(name).ToLowerInvariant() switch
    {
        ".ipxe" or ".txt" or ".cfg" or ".conf" or ".pub" or ".sh" => Text,
        ".gz" or ".tgz" => Gzip,
        ".xz" => "application/x-xz",
        ".zst" => "application/zstd",
        ".json" => "application/json",
        ".html" or ".htm" => "text/html; charset=utf-8",
        ".iso" => "application/x-iso9660-image",
        _ => Binary,
    };
}
