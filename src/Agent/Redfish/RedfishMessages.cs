using System.Text.Json.Serialization;

namespace NetbootPi.Agent.Redfish;

// The Redfish resources the box answers with (DMTF DSP0266, schemas of DSP8010 2023.3), as records: property names
// are Redfish's own (PascalCase, @odata.* and @Redfish.* annotations), so they are named one by one.

/// <summary>A link to another resource.</summary>
internal sealed record ODataLink([property: JsonPropertyName("@odata.id")] string Id);

/// <summary>GET /redfish: the protocol versions there are.</summary>
internal sealed record RedfishVersions([property: JsonPropertyName("v1")] string V1);

/// <summary>GET /redfish/v1: the service root.</summary>
internal sealed record ServiceRoot(
    [property: JsonPropertyName("@odata.type")] string Type,
    [property: JsonPropertyName("@odata.id")] string ODataId,
    string Id,
    string Name,
    string RedfishVersion,
    [property: JsonPropertyName("UUID")] string Uuid,
    ODataLink Systems,
    ODataLink Managers,
    ODataLink SessionService,
    ServiceRootLinks Links);

internal sealed record ServiceRootLinks(ODataLink Sessions);

/// <summary>A collection: Systems, Managers, VirtualMedia, Sessions.</summary>
internal sealed record ResourceCollection(
    [property: JsonPropertyName("@odata.type")] string Type,
    [property: JsonPropertyName("@odata.id")] string ODataId,
    string Name,
    [property: JsonPropertyName("Members@odata.count")] int Count,
    ODataLink[] Members);

/// <summary>A host the box powers, or the console host: ComputerSystem v1.13.</summary>
internal sealed record ComputerSystem(
    [property: JsonPropertyName("@odata.type")] string Type,
    [property: JsonPropertyName("@odata.id")] string ODataId,
    string Id,
    string Name,
    string SystemType,
    string? HostName,
    string? PowerState,
    ResourceStatus Status,
    SystemBoot Boot,
    ComputerSystemActions Actions,
    ComputerSystemLinks Links);

internal sealed record ResourceStatus(string State, string? Health);

/// <summary>
/// The boot override: Pxe once (the host's network boot, <c>netbootpi next-boot</c>) or none; Pxe is allowable only for
/// a host that has a network boot to give (docs/compat.md).
/// </summary>
internal sealed record SystemBoot(
    string BootSourceOverrideEnabled,
    [property: JsonPropertyName("BootSourceOverrideEnabled@Redfish.AllowableValues")] string[] EnabledValues,
    string BootSourceOverrideTarget,
    [property: JsonPropertyName("BootSourceOverrideTarget@Redfish.AllowableValues")] string[] AllowableValues);

/// <summary>PATCH /redfish/v1/Systems/{id}: only Boot's override can change; anything else is named in the refusal.</summary>
internal sealed class SystemPatch
{
    public BootPatch? Boot { get; init; }

    [JsonExtensionData]
    public Dictionary<string, System.Text.Json.JsonElement>? Other { get; set; }
}

internal sealed class BootPatch
{
    public string? BootSourceOverrideTarget { get; init; }
    public string? BootSourceOverrideEnabled { get; init; }

    [JsonExtensionData]
    public Dictionary<string, System.Text.Json.JsonElement>? Other { get; set; }
}

internal sealed record ComputerSystemActions([property: JsonPropertyName("#ComputerSystem.Reset")] ResetActionInfo Reset);

internal sealed record ResetActionInfo(
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("ResetType@Redfish.AllowableValues")] string[] AllowableValues);

internal sealed record ComputerSystemLinks(ODataLink[] ManagedBy);

/// <summary>POST .../Actions/ComputerSystem.Reset.</summary>
internal sealed record ResetRequest(string? ResetType);

/// <summary>The box itself: Manager v1.10.</summary>
internal sealed record Manager(
    [property: JsonPropertyName("@odata.type")] string Type,
    [property: JsonPropertyName("@odata.id")] string ODataId,
    string Id,
    string Name,
    string ManagerType,
    string FirmwareVersion,
    [property: JsonPropertyName("UUID")] string Uuid,
    ResourceStatus Status,
    ODataLink VirtualMedia,
    ManagerLinks Links);

internal sealed record ManagerLinks(ODataLink[] ManagerForServers);

/// <summary>The console host's USB drive: VirtualMedia v1.6.</summary>
internal sealed record VirtualMedia(
    [property: JsonPropertyName("@odata.type")] string Type,
    [property: JsonPropertyName("@odata.id")] string ODataId,
    string Id,
    string Name,
    string[] MediaTypes,
    string? Image,
    string? ImageName,
    bool Inserted,
    bool WriteProtected,
    string ConnectedVia,
    VirtualMediaActions Actions);

internal sealed record VirtualMediaActions(
    [property: JsonPropertyName("#VirtualMedia.InsertMedia")] ActionTarget Insert,
    [property: JsonPropertyName("#VirtualMedia.EjectMedia")] ActionTarget Eject);

internal sealed record ActionTarget([property: JsonPropertyName("target")] string Target);

/// <summary>POST .../Actions/VirtualMedia.InsertMedia: an image of the catalog by name, or an http(s) URL.</summary>
internal sealed record InsertMediaRequest(string? Image, bool? Inserted = null, bool? WriteProtected = null, string? TransferProtocolType = null,
    string? TransferMethod = null, string? UserName = null, string? Password = null);

/// <summary>GET /redfish/v1/SessionService.</summary>
internal sealed record SessionService(
    [property: JsonPropertyName("@odata.type")] string Type,
    [property: JsonPropertyName("@odata.id")] string ODataId,
    string Id,
    string Name,
    bool ServiceEnabled,
    int SessionTimeout,
    ODataLink Sessions);

/// <summary>A session: Session v1.3 (never with its token, which only the answer to its creation carries, in X-Auth-Token).</summary>
internal sealed record RedfishSession(
    [property: JsonPropertyName("@odata.type")] string Type,
    [property: JsonPropertyName("@odata.id")] string ODataId,
    string Id,
    string Name,
    string UserName);

/// <summary>POST /redfish/v1/SessionService/Sessions.</summary>
internal sealed record SessionRequest(string? UserName, string? Password);

/// <summary>Redfish's error answer (DSP0266 §9.6.3): a code, a sentence, and the message in @Message.ExtendedInfo.</summary>
internal sealed record RedfishErrorReply([property: JsonPropertyName("error")] RedfishError Error);

internal sealed record RedfishError(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("@Message.ExtendedInfo")] RedfishMessage[] ExtendedInfo);

internal sealed record RedfishMessage(
    [property: JsonPropertyName("@odata.type")] string Type,
    string MessageId,
    string Message,
    string Severity,
    string Resolution);

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(RedfishVersions))]
[JsonSerializable(typeof(ServiceRoot))]
[JsonSerializable(typeof(ResourceCollection))]
[JsonSerializable(typeof(ComputerSystem))]
[JsonSerializable(typeof(ResetRequest))]
[JsonSerializable(typeof(SystemPatch))]
[JsonSerializable(typeof(Manager))]
[JsonSerializable(typeof(VirtualMedia))]
[JsonSerializable(typeof(InsertMediaRequest))]
[JsonSerializable(typeof(SessionService))]
[JsonSerializable(typeof(RedfishSession))]
[JsonSerializable(typeof(SessionRequest))]
[JsonSerializable(typeof(RedfishErrorReply))]
internal sealed partial class RedfishJson : JsonSerializerContext;
