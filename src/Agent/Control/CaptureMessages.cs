using System.Text.Json.Serialization;

namespace NetbootPi.Agent.Control;

/// <summary>
/// GET /api/v1/capture: the console host, the site's capture settings, the unit's state (systemd's load, active and
/// sub state), whether the agent's capture runs (started by it, its unit active, ustreamer answered), whether with the
/// site's settings (<c>current</c> false: the site changed since, start it again), the source's DV timings read at start or why none, why the last start failed, and what ustreamer says.
/// </summary>
internal sealed record CaptureStatusReply(string Host, string Device, int Input, string Resolution, int? Fps, string Format, string? Edid, bool DvTimings,
    string Unit, string UnitState, bool Running, bool Current, string? SourceTimings, string? Signal, string? Failure, UstreamerReply? Ustreamer);

/// <summary>What ustreamer says it captures: the resolution, whether the source gives a signal, frame rates, the clients of its stream.</summary>
internal sealed record UstreamerReply(string Resolution, bool Online, int DesiredFps, int CapturedFps, int Clients);

/// <summary>A snapshot kept with the console host's events: its name (for GET /api/v1/capture/snapshots/file?name=), size and time.</summary>
internal sealed record SnapshotReply(string Name, long Bytes, DateTimeOffset Time);

/// <summary>What a capture start or stop did, as a sentence, and the status after it.</summary>
internal sealed record CaptureDoneReply(string Message, CaptureStatusReply Status);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(CaptureStatusReply))]
[JsonSerializable(typeof(CaptureDoneReply))]
[JsonSerializable(typeof(SnapshotReply[]))]
internal sealed partial class CaptureJson : JsonSerializerContext;
