using System.Text.Json.Serialization;

namespace NetbootPi.Agent.Media.Catalog;

/// <summary>What the catalog keeps beside an image (<c>images/.meta/NAME.json</c>): its checksum and who added it from where.</summary>
internal sealed record ImageMeta(string Sha256, long Size, DateTimeOffset Added, string AddedBy, string Source);

/// <summary>
/// An interrupted download kept in <c>images/.partial/NAME</c> (<c>NAME.json</c> beside it): the URL it continues and
/// the validator the server gave, so that a Range request resumes only the same file (If-Range).
/// </summary>
internal sealed record PartialSource(string Url, string? ETag, string? LastModified);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(ImageMeta))]
[JsonSerializable(typeof(PartialSource))]
internal sealed partial class CatalogJson : JsonSerializerContext;
