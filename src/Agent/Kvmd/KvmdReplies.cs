using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Control;

namespace NetbootPi.Agent.Kvmd;

/// <summary>
/// How kvmd's paths answer: <c>{"ok": true|false, "result": ...}</c> (kvmd/htserver.py), a refusal's result naming
/// kvmd's exception class (what its clients test) with the box's own sentence saying what was wrong and what to do.
/// </summary>
internal static class KvmdReplies
{
    private static readonly KvmdDoneReply Done = new(true, new KvmdEmpty());

    public static Task DoneAsync(HttpContext context) => WriteAsync(context, StatusCodes.Status200OK, Done, KvmdJson.Default.KvmdDoneReply);

    public static Task WriteAsync<T>(HttpContext context, int status, T value, JsonTypeInfo<T> type) => ControlRouter.WriteAsync(context, status, value, type);

    /// <summary>A refusal of the router (no credentials, a role short, a method not taken) or of the credentials' check.</summary>
    public static Task RefuseAsync(HttpContext context, int status, string why) => ErrorAsync(context, status, NameOf(status), why);

    /// <summary>A refusal named as kvmd names it (<paramref name="error"/>: <c>MsdConnectedError</c>, <c>ValidatorError</c>...).</summary>
    public static Task ErrorAsync(HttpContext context, int status, string error, string why) =>
        WriteAsync(context, status, new KvmdErrorReply(false, new KvmdError(error, why)), KvmdJson.Default.KvmdErrorReply);

    /// <summary>kvmd's name for a refusal of this status, when the status is all that is known (kvmd/htserver.py's errors).</summary>
    private static string NameOf(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "ValidatorError",
        StatusCodes.Status401Unauthorized => "UnauthorizedError",
        StatusCodes.Status403Forbidden => "ForbiddenError",
        StatusCodes.Status404NotFound => "HTTPNotFound",
        StatusCodes.Status405MethodNotAllowed => "HTTPMethodNotAllowed",
        StatusCodes.Status409Conflict => "IsBusyError",
        StatusCodes.Status429TooManyRequests => "HTTPTooManyRequests",
        StatusCodes.Status503ServiceUnavailable => "UnavailableError",
        _ => "OperationError",
    };

    /// <summary>kvmd's validators' sentence (kvmd/validators/__init__.py), with what the box takes after it.</summary>
    public static Task InvalidAsync(HttpContext context, string? value, string what, string takes) =>
        ErrorAsync(context, StatusCodes.Status400BadRequest, "ValidatorError",
            value is null ? $"None argument is not a valid {what}: {takes}" : $"The argument '{value}' is not a valid {what}: {takes}");

    /// <summary>kvmd's boolean query values (<c>1</c>, <c>true</c>, <c>yes</c>; <c>0</c>, <c>false</c>, <c>no</c>), or null when not one.</summary>
    public static bool? Bool(string value) => value.Trim().ToLowerInvariant() switch
    {
        "1" or "true" or "yes" => true,
        "0" or "false" or "no" => false,
        _ => null,
    };
}
