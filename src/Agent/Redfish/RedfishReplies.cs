using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Control;

namespace NetbootPi.Agent.Redfish;

/// <summary>
/// How the Redfish paths answer: JSON with <c>OData-Version: 4.0</c>, and errors in Redfish's shape with a message
/// of the Base registry (DSP0266 §9.6.3), the sentence being the same one the native API gives.
/// </summary>
internal static class RedfishReplies
{
    private const string Registry = "Base.1.8.";

    public static Task WriteAsync<T>(HttpContext context, int status, T value, JsonTypeInfo<T> type)
    {
        context.Response.Headers["OData-Version"] = "4.0";
        return ControlRouter.WriteAsync(context, status, value, type);
    }

    /// <summary>A refusal of the router (no credentials, a role short, a method not taken) or of a handler.</summary>
    public static Task RefuseAsync(HttpContext context, int status, string why) => ErrorAsync(context, status, MessageOf(status), why);

    public static Task ErrorAsync(HttpContext context, int status, string messageId, string why)
    {
        var (severity, resolution) = status switch
        {
            StatusCodes.Status401Unauthorized => ("Critical", "Send HTTP Basic credentials, or X-Auth-Token with a session made at /redfish/v1/SessionService/Sessions."),
            StatusCodes.Status403Forbidden => ("Critical", "Use an account or token with the role the action needs (docs/control.md)."),
            StatusCodes.Status404NotFound => ("Critical", "Check the URI against the collection it is listed in."),
            StatusCodes.Status429TooManyRequests => ("Critical", "Wait and try again."),
            _ => ("Warning", "Correct the request and resubmit it."),
        };
        var id = Registry + messageId;
        return WriteAsync(context, status,
            new RedfishErrorReply(new RedfishError(id, why, [new RedfishMessage("#Message.v1_1_1.Message", id, why, severity, resolution)])),
            RedfishJson.Default.RedfishErrorReply);
    }

    private static string MessageOf(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "MalformedJSON",
        StatusCodes.Status401Unauthorized => "NoValidSession",
        StatusCodes.Status403Forbidden => "InsufficientPrivilege",
        StatusCodes.Status404NotFound => "ResourceMissingAtURI",
        StatusCodes.Status405MethodNotAllowed => "OperationNotAllowed",
        StatusCodes.Status409Conflict => "ResourceInUse",
        StatusCodes.Status429TooManyRequests => "ServiceTemporarilyUnavailable",
        _ => "GeneralError",
    };
}
