namespace NetbootPi.Agent.Media.Catalog;

/// <summary>
/// An image in the catalog: its name and size, and what the catalog knows of it. An image copied in by hand (not
/// added through the catalog) has no <see cref="Sha256"/>, <see cref="AddedBy"/> or <see cref="Source"/>, and
/// <see cref="Added"/> is its file's modification time.
/// </summary>
/// <param name="Source">Where it came from: the URL it was downloaded from, or <c>upload</c>.</param>
public sealed record CatalogImage(string Name, long Size, string? Sha256, DateTimeOffset Added, string? AddedBy, string? Source);
