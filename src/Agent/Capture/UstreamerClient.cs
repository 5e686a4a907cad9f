using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using NetbootPi.Agent.Os.Network;

namespace NetbootPi.Agent.Capture;

/// <summary>
/// HTTP to ustreamer on its unix socket: <c>/state</c> (what it captures), <c>/snapshot</c> (the last frame as a
/// JPEG) and <c>/stream</c> (MJPEG, multipart/x-mixed-replace), which the agent serves behind its own auth.
/// </summary>
public sealed class UstreamerClient : IDisposable
{
    /// <summary>A snapshot larger than this is refused (a 4K frame at quality 80 is a few MiB).</summary>
    public const int MaxSnapshotBytes = 32 << 20;

    private readonly HttpClient _http;

    public UstreamerClient(string socketPath)
    {
        SocketPath = socketPath;
        var handler = UnixSocketHttp.Handler(socketPath);
        // The stream is long-lived; each call bounds itself.
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://ustreamer/"), Timeout = Timeout.InfiniteTimeSpan };
    }

    public string SocketPath { get; }

    /// <summary>What ustreamer says it captures, or null when it does not answer (not started yet, or gone).</summary>
    public async Task<UstreamerState?> StateAsync(TimeSpan limit, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(limit);
        try
        {
            using var response = await _http.GetAsync("state", timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return null;
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            return UstreamerState.Parse(body);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException || (e is OperationCanceledException && !cancellation.IsCancellationRequested))
        {
            return null;
        }
    }

    /// <summary>The last frame ustreamer has, as JPEG bytes; throws <see cref="CaptureException"/> saying why not.</summary>
    public async Task<byte[]> SnapshotAsync(TimeSpan limit, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(limit);
        try
        {
            using var response = await _http.GetAsync("snapshot", HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new CaptureException($"ustreamer on {SocketPath} has no frame to give (HTTP {(int)response.StatusCode}: no signal yet, or the device gives none)");
            if (response.Content.Headers.ContentLength is > MaxSnapshotBytes)
                throw new CaptureException($"ustreamer's snapshot is {response.Content.Headers.ContentLength} bytes, more than the {MaxSnapshotBytes} kept");
            var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            using var bytes = new MemoryStream();
            var buffer = new byte[64 * 1024];
            int n;
            while ((n = await stream.ReadAsync(buffer, timeout.Token).ConfigureAwait(false)) > 0)
            {
                if (bytes.Length + n > MaxSnapshotBytes) throw new CaptureException($"ustreamer's snapshot is more than the {MaxSnapshotBytes} bytes kept");
                bytes.Write(buffer, 0, n);
            }
            var jpeg = bytes.ToArray();
            // SOI (FF D8) first: ustreamer's own error pages are HTML.
            if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
                throw new CaptureException($"ustreamer on {SocketPath} answered /snapshot with {jpeg.Length} bytes that are not a JPEG");
            return jpeg;
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new CaptureException($"ustreamer does not answer on {SocketPath}: {e.Message} (is the capture running? netbootpi capture status)", e);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new CaptureException($"ustreamer on {SocketPath} gave no snapshot within {limit.TotalSeconds:0} s");
        }
    }

    /// <summary>Opens <c>/stream</c>: the response, its headers read, its body the MJPEG parts as they come; the caller disposes it.</summary>
    public async Task<HttpResponseMessage> StreamAsync(CancellationToken cancellation)
    {
        try
        {
            var response = await _http.GetAsync("stream", HttpCompletionOption.ResponseHeadersRead, cancellation).ConfigureAwait(false);
            if (response.IsSuccessStatusCode) return response;
            response.Dispose();
            throw new CaptureException($"ustreamer on {SocketPath} refused the stream (HTTP {(int)response.StatusCode})");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new CaptureException($"ustreamer does not answer on {SocketPath}: {e.Message} (is the capture running? netbootpi capture status)", e);
        }
    }

    /// <summary>The media type of a stream response, as ustreamer gave it (multipart/x-mixed-replace with its boundary).</summary>
    public static string ContentType(HttpResponseMessage response) =>
        response.Content.Headers.ContentType is MediaTypeHeaderValue t ? t.ToString() : "multipart/x-mixed-replace;boundary=boundarydonotcross";

    public void Dispose() => _http.Dispose();
}
