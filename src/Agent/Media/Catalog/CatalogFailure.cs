namespace NetbootPi.Agent.Media.Catalog;

/// <summary>Why an image was not added or removed; the control API answers each with its own status.</summary>
public enum CatalogFailure
{
    /// <summary>The name cannot name an image (400).</summary>
    BadName,
    /// <summary>The request itself is wrong: a checksum that is not 64 hex digits, a URL the catalog does not fetch (400).</summary>
    BadRequest,
    /// <summary>An image of that name exists, or is being added (409).</summary>
    Exists,
    /// <summary>No image of that name (404).</summary>
    NotFound,
    /// <summary>Longer than <c>media.max_size</c> (413).</summary>
    TooLarge,
    /// <summary>The bytes have another SHA-256 than the one given (422).</summary>
    ChecksumMismatch,
    /// <summary>The download was refused or failed: an address not allowed, too many redirects, an HTTP error, TLS (422).</summary>
    FetchFailed,
    /// <summary>The file system holding the catalog is full (507).</summary>
    DiskFull,
    /// <summary>Any other file system error (500 with the path; the journal has it too).</summary>
    Io,
    /// <summary>The downloads queue is full (503).</summary>
    Busy,
    /// <summary>The image is in the console host's drive, so it is not removed (409).</summary>
    InUse,
    /// <summary>Someone cancelled the download (its job ends so; 409 for a request that waited for it).</summary>
    Cancelled,
}

/// <summary>An add or remove that failed, with a sentence that says what and where.</summary>
public sealed class CatalogException(CatalogFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    public CatalogFailure Failure { get; } = failure;
}
