using System.Text.Json.Serialization;

namespace NetbootPi.Agent.Kvmd;

// kvmd's replies, field for field as kvmd writes them (kvmd/htserver.py's envelope, its plugins' get_state), for the
// fields the box can fill; docs/compat.md says which are always the same and why. snake_case, as kvmd's Python keys.

/// <summary>kvmd's empty result: <c>{}</c>.</summary>
internal sealed record KvmdEmpty;

/// <summary>A refusal's result: kvmd's exception class name (<c>ForbiddenError</c>, <c>MsdOfflineError</c>...) and a sentence.</summary>
internal sealed record KvmdError(string Error, string ErrorMsg);

/// <summary><c>{"ok": true, "result": {}}</c>: an action done.</summary>
internal sealed record KvmdDoneReply(bool Ok, KvmdEmpty Result);

/// <summary><c>{"ok": false, "result": {"error": ..., "error_msg": ...}}</c>: every refusal on kvmd's paths.</summary>
internal sealed record KvmdErrorReply(bool Ok, KvmdError Result);

/// <summary>What the ATX buttons are doing now.</summary>
internal sealed record KvmdAtxActs(bool Power, bool Reset);

/// <summary>The front panel's LEDs: power from the host's driver's status; hdd unknown (false).</summary>
internal sealed record KvmdAtxLeds(bool Power, bool Hdd);

/// <summary>GET /api/atx's result.</summary>
internal sealed record KvmdAtxState(bool Enabled, bool Busy, KvmdAtxActs Acts, KvmdAtxLeds Leds);

internal sealed record KvmdAtxReply(bool Ok, KvmdAtxState Result);

/// <summary>An image of the storage (the catalog), by name in <c>images</c>.</summary>
internal sealed record KvmdImage(bool Complete, bool Removable, bool Writable, long Size, double ModTs);

/// <summary>The image in the drive or selected for it.</summary>
internal sealed record KvmdDriveImage(string Name, bool InStorage, bool Complete, bool Removable, bool Writable, long Size, double ModTs);

/// <summary>A partition of the storage: kvmd's root one, <c>""</c>, is the catalog's file system.</summary>
internal sealed record KvmdPart(long Size, long Free, bool Writable);

/// <summary>An image being read out of the storage (kvmd's <c>/api/msd/read</c>, which the box does not answer: always null).</summary>
internal sealed record KvmdReading(string Name, long Size, long Readed);

/// <summary>An image being written into the storage: an upload or a download by URL.</summary>
internal sealed record KvmdWriting(string Name, long Size, long Written);

internal sealed record KvmdStorage(Dictionary<string, KvmdImage> Images, Dictionary<string, KvmdPart> Parts, KvmdReading? Downloading, KvmdWriting? Uploading);

/// <summary>The virtual drive: the image selected or in it, whether the host has it, CD-ROM or disk, writable or not.</summary>
internal sealed record KvmdDrive(KvmdDriveImage? Image, bool Connected, bool Cdrom, bool Rw);

/// <summary>GET /api/msd's result.</summary>
internal sealed record KvmdMsdState(bool Enabled, bool Online, bool Busy, KvmdStorage? Storage, KvmdDrive? Drive);

internal sealed record KvmdMsdReply(bool Ok, KvmdMsdState Result);

/// <summary>POST /api/msd/write's result, and each line of /api/msd/write_remote's: <c>{"image": {"name", "size", "written"}}</c>.</summary>
internal sealed record KvmdWriteInfo(KvmdWriting Image);

internal sealed record KvmdWriteReply(bool Ok, KvmdWriteInfo Result);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(KvmdDoneReply))]
[JsonSerializable(typeof(KvmdErrorReply))]
[JsonSerializable(typeof(KvmdAtxReply))]
[JsonSerializable(typeof(KvmdMsdReply))]
[JsonSerializable(typeof(KvmdWriteReply))]
internal sealed partial class KvmdJson : JsonSerializerContext;
