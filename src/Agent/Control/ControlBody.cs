using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace NetbootPi.Agent.Control;

/// <summary>
/// Reads a request's JSON body strictly: at most <see cref="MaxBytes"/>, valid JSON, no unknown and no missing
/// fields. What is wrong is answered as 400 with where (line, column, field), never as a 500 from deep inside.
/// </summary>
public static class ControlBody
{
    public const int MaxBytes = 64 * 1024;

    /// <summary>The body as <typeparamref name="T"/>, or null after the 400 was written (by <paramref name="refused"/> when given: a protocol's own error shape).</summary>
    public static async Task<T?> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type, ControlRefusal? refused = null) where T : class
    {
        Task Refuse(HttpContext c, string message) => refused is null ? ControlBody.Refuse(c, message) : refused(c, StatusCodes.Status400BadRequest, message);

        if (context.Request.ContentLength is > MaxBytes)
        {
            await Refuse(context, $"the body is {context.Request.ContentLength.Value.ToString("N0", CultureInfo.InvariantCulture)} bytes; the most this endpoint reads is {MaxBytes.ToString("N0", CultureInfo.InvariantCulture)}").ConfigureAwait(false);
            return null;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(MaxBytes + 1);
        try
        {
            var length = 0;
            int n;
            while (length <= MaxBytes && (n = await context.Request.Body.ReadAsync(buffer.AsMemory(length, MaxBytes + 1 - length), context.RequestAborted).ConfigureAwait(false)) > 0)
                length += n;
            if (length > MaxBytes)
            {
                await Refuse(context, $"the body is longer than {MaxBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes, the most this endpoint reads").ConfigureAwait(false);
                return null;
            }
            if (length == 0)
            {
                await Refuse(context, $"the body is empty; expected a JSON object").ConfigureAwait(false);
                return null;
            }
            try
            {
                if (JsonSerializer.Deserialize(buffer.AsSpan(0, length), type) is { } value) return value;
                await Refuse(context, "the body is null; expected a JSON object").ConfigureAwait(false);
                return null;
            }
            catch (JsonException e)
            {
                var at = e.LineNumber is { } line ? $"line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}" : "the body";
                var field = e.Path is { Length: > 2 } p ? $" ({p[2..]})" : "";
                await Refuse(context, $"the body at {at}{field}: {Sentence(e.Message)}").ConfigureAwait(false);
                return null;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// A body that is not JSON (a site file's text): at most <paramref name="maxBytes"/>, not empty; null after the
    /// 400 was written.
    /// </summary>
    public static async Task<byte[]?> ReadBytesAsync(HttpContext context, int maxBytes, string what)
    {
        if (context.Request.ContentLength is { } declared && declared > maxBytes)
        {
            await Refuse(context, $"the body is {declared.ToString("N0", CultureInfo.InvariantCulture)} bytes; the most this endpoint reads is {maxBytes.ToString("N0", CultureInfo.InvariantCulture)}").ConfigureAwait(false);
            return null;
        }
        var body = new MemoryStream();
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int n;
            while ((n = await context.Request.Body.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (body.Length + n > maxBytes)
                {
                    await Refuse(context, $"the body is longer than {maxBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes, the most this endpoint reads").ConfigureAwait(false);
                    return null;
                }
                body.Write(buffer, 0, n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (body.Length == 0)
        {
            await Refuse(context, $"the body is empty; expected {what}").ConfigureAwait(false);
            return null;
        }
        return body.ToArray();
    }

    // System.Text.Json ends its messages with " Path: $.x | LineNumber: 0 | BytePositionInLine: 4.", said above already.
    /// <summary>
    /// System.Text.Json's message as a sentence for whoever sent the JSON: without the location (said apart) and
    /// without the names of our own types, which mean nothing to them.
    /// </summary>
    internal static string Sentence(string message)
    {
        if (message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal)) return "this value has the wrong type";
        if (Quoted(message, "The JSON property ") is { } unknown && message.Contains("could not be mapped", StringComparison.Ordinal))
            return $"unknown field '{unknown}'";
        var missing = message.IndexOf("missing required properties including: ", StringComparison.Ordinal);
        if (missing > 0) return "missing field " + message[(missing + "missing required properties including: ".Length)..].TrimEnd('.');
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private static string? Quoted(string message, string prefix)
    {
        if (!message.StartsWith(prefix + "'", StringComparison.Ordinal)) return null;
        var end = message.IndexOf('\'', prefix.Length + 1);
        return end > 0 ? message[(prefix.Length + 1)..end] : null;
    }

    private static Task Refuse(HttpContext context, string message) => ControlRouter.ReplyAsync(context, StatusCodes.Status400BadRequest, message);
}
