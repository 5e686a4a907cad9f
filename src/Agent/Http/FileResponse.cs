using System.Buffers;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace NetbootPi.Agent.Http;

/// <summary>
/// Answers a GET or HEAD with an opened file: validators, conditional requests (RFC 9110 §13), one byte
/// range (RFC 9110 §14). A body from 256 KiB on goes from the page cache by sendfile(2) (see
/// <see cref="SocketOutput"/>); a smaller one is read with positional reads, a small file straight into the
/// response's pipe.
/// </summary>
internal static class FileResponse
{
    // One read and one flush per MiB: each flush wakes Kestrel's transport and waits for the pipe to drain, and
    // at 64 KiB that round trip capped a single download at about half of nginx's sendfile (bench/http.sh:
    // 742-888 MiB/s at 64 KiB, 1278-1510 at 1 MiB, same run as nginx at 960-1590). The buffer is pooled
    // (ArrayPool), one per download in progress.
    private const int ChunkBytes = 1024 * 1024;

    // From this size on the body goes by sendfile when the connection's output is ours: below it, the setup
    // (a second socket operation, a FileStream) costs more than the copy it saves.
    private const long SendFileBytes = 256 * 1024;

    // The first chunk goes out with the headers: kept small, the client's first byte does not wait for a MiB.
    private const int FirstChunkBytes = 64 * 1024;

    public static async Task SendAsync(HttpContext ctx, ServedFile file, string contentType)
    {
        var request = ctx.Request;
        var response = ctx.Response;
        var length = file.Length;
        // HTTP dates have whole seconds; comparing in the same unit keeps If-Modified-Since exact.
        var modified = new DateTimeOffset(file.LastWriteUtc.Ticks - file.LastWriteUtc.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        // Length and modification time identify a version well enough for boot artifacts, which are replaced
        // by rename, never edited in place.
        var etag = string.Create(CultureInfo.InvariantCulture, $"\"{length:x}-{file.LastWriteUtc.Ticks:x}\"");
        var headers = response.Headers;
        headers.ETag = etag;
        headers.LastModified = HeaderUtilities.FormatDate(modified);
        headers.AcceptRanges = "bytes";

        var status = Preconditions(request.Headers, etag, modified);
        if (status != StatusCodes.Status200OK)
        {
            response.StatusCode = status;
            return;
        }
        var (offset, count) = (0L, length);
        if (HttpMethods.IsGet(request.Method) && WantsRange(request.Headers, etag, modified, out var range))
        {
            if (!TryResolve(range, length, out offset, out count))
            {
                // RFC 9110 §15.5.17: 416 names the current length.
                response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes */{length}");
                return;
            }
            response.StatusCode = StatusCodes.Status206PartialContent;
            headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {offset}-{offset + count - 1}/{length}");
        }
        response.ContentType = contentType;
        response.ContentLength = count;
        if (HttpMethods.IsHead(request.Method) || count == 0) return;
        await CopyAsync(ctx, file, offset, count).ConfigureAwait(false);
    }

    private static async Task CopyAsync(HttpContext ctx, ServedFile file, long offset, long count)
    {
        var writer = ctx.Response.BodyWriter;
        var start = offset;
        var end = offset + count;
        // A small file fits the pipe's next block: read it straight in, no copy, no buffer.
        var block = writer.GetMemory();
        if (count <= block.Length)
        {
            var read = RandomAccess.Read(file.Handle, block.Span[..(int)count], offset);
            writer.Advance(read);
            if (read < count) ctx.Abort(); // truncated in place after the length was sent
            return;
        }
        if (count >= SendFileBytes && SocketOutput.Of(ctx) is { } output
            && await TrySendFileAsync(ctx, output, file, offset, count).ConfigureAwait(false))
            return;
        // Larger: fewer, larger reads through one rented buffer. Asking the pipe itself for blocks this size
        // stalled the response (Kestrel's output pipe works in 4 KiB blocks), so the bytes are copied once.
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            var aborted = ctx.RequestAborted;
            while (offset < end)
            {
                var chunk = offset == start ? FirstChunkBytes : buffer.Length;
                var read = RandomAccess.Read(file.Handle, buffer.AsSpan(0, (int)Math.Min(end - offset, chunk)), offset);
                if (read == 0)
                {
                    ctx.Abort();
                    return;
                }
                offset += read;
                var flush = await writer.WriteAsync(buffer.AsMemory(0, read), aborted).ConfigureAwait(false);
                if (flush.IsCanceled || flush.IsCompleted) return;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The body by sendfile(2): the headers are flushed, <see cref="SocketOutput"/> sends them and then the
    /// file range from the page cache, and the same number of bytes written through Kestrel (which counts
    /// them against Content-Length) are dropped there.
    /// </summary>
    private static async Task<bool> TrySendFileAsync(HttpContext ctx, SocketOutput output, ServedFile file, long offset, long count)
    {
        if (ReopenForSendFile(file.Handle) is not { } stream) return false;
        await using (stream.ConfigureAwait(false))
        {
            var writer = ctx.Response.BodyWriter;
            await ctx.Response.StartAsync().ConfigureAwait(false);
            var flush = await writer.FlushAsync().ConfigureAwait(false);
            if (flush.IsCompleted || flush.IsCanceled) return true;
            if (!await output.SendFileAsync(stream, offset, count).ConfigureAwait(false))
            {
                ctx.Abort();
                return true;
            }
            for (var left = count; left > 0;)
            {
                var memory = writer.GetMemory();
                var n = (int)Math.Min(memory.Length, left);
                writer.Advance(n);
                left -= n;
            }
            return true;
        }
    }

    /// <summary>
    /// The runtime sends files only from a FileStream opened for asynchronous use, which a handle opened
    /// beneath the root (<see cref="SafeFiles"/>) cannot become: the same open file is opened again through
    /// /proc/self/fd, which names this inode and no path, so confinement holds. Null when /proc is missing.
    /// </summary>
    private static FileStream? ReopenForSendFile(Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        try
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"/proc/self/fd/{handle.DangerousGetHandle()}");
            var reopened = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);
            return new FileStream(reopened, FileAccess.Read, bufferSize: 0, isAsync: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>RFC 9110 §13.2.2: the preconditions in their order; 200 when the request proceeds.</summary>
    private static int Preconditions(IHeaderDictionary headers, string etag, DateTimeOffset modified)
    {
        var ifMatch = headers.IfMatch;
        if (!StringValues.IsNullOrEmpty(ifMatch))
        {
            if (!AnyTagMatches(ifMatch, etag, weak: false)) return StatusCodes.Status412PreconditionFailed;
        }
        else if (TryDate(headers.IfUnmodifiedSince, out var unmodifiedSince) && modified > unmodifiedSince)
        {
            return StatusCodes.Status412PreconditionFailed;
        }
        var ifNoneMatch = headers.IfNoneMatch;
        if (!StringValues.IsNullOrEmpty(ifNoneMatch))
        {
            if (AnyTagMatches(ifNoneMatch, etag, weak: true)) return StatusCodes.Status304NotModified;
        }
        else if (TryDate(headers.IfModifiedSince, out var modifiedSince) && modified <= modifiedSince)
        {
            return StatusCodes.Status304NotModified;
        }
        return StatusCodes.Status200OK;
    }

    /// <summary>RFC 9110 §14.2 and §13.1.5: Range is honoured when If-Range, if sent, still names this version.</summary>
    private static bool WantsRange(IHeaderDictionary headers, string etag, DateTimeOffset modified, out string range)
    {
        range = headers.Range.ToString();
        if (range.Length == 0) return false;
        var ifRange = headers.IfRange.ToString().Trim();
        if (ifRange.Length == 0) return true;
        if (ifRange.StartsWith('"')) return ifRange == etag; // strong comparison only
        return TryDate(ifRange, out var date) && date == modified;
    }

    /// <summary>
    /// One range of <c>bytes=first-[last]</c> or <c>bytes=-suffix</c>. A list of ranges is answered with
    /// the whole file (RFC 9110 §14.2: a server may ignore Range), as is a header it cannot parse.
    /// False only when the range is valid but lies beyond the file (416).
    /// </summary>
    internal static bool TryResolve(string range, long length, out long offset, out long count)
    {
        (offset, count) = (0, length);
        var spec = range.AsSpan().Trim();
        if (!spec.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase)) return true;
        spec = spec["bytes=".Length..].Trim();
        if (spec.Contains(',')) return true;
        var dash = spec.IndexOf('-');
        if (dash < 0) return true;
        var firstText = spec[..dash].Trim();
        var lastText = spec[(dash + 1)..].Trim();
        if (firstText.IsEmpty)
        {
            if (!long.TryParse(lastText, NumberStyles.None, CultureInfo.InvariantCulture, out var suffix)) return true;
            if (suffix == 0 || length == 0) return false;
            suffix = Math.Min(suffix, length);
            (offset, count) = (length - suffix, suffix);
            return true;
        }
        if (!long.TryParse(firstText, NumberStyles.None, CultureInfo.InvariantCulture, out var first)) return true;
        var last = length - 1;
        if (!lastText.IsEmpty)
        {
            if (!long.TryParse(lastText, NumberStyles.None, CultureInfo.InvariantCulture, out last)) return true;
            if (last < first) return true; // RFC 9110 §14.1.1: invalid, so the header is ignored
        }
        if (first >= length) return false;
        last = Math.Min(last, length - 1);
        (offset, count) = (first, last - first + 1);
        return true;
    }

    private static bool AnyTagMatches(StringValues values, string etag, bool weak)
    {
        foreach (var value in values)
        {
            if (value is null) continue;
            foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (part == "*") return true;
                var tag = part;
                if (tag.StartsWith("W/", StringComparison.Ordinal))
                {
                    // Our tags are strong: a weak tag never matches strongly, and matches weakly by its opaque part.
                    if (!weak) continue;
                    tag = tag[2..];
                }
                if (tag == etag) return true;
            }
        }
        return false;
    }

    private static bool TryDate(StringValues value, out DateTimeOffset date) =>
        HeaderUtilities.TryParseDate(value.ToString(), out date);
}
