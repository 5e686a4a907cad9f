using System.Text.Json.Serialization;

namespace NetbootPi.Agent.Control;

/// <summary>POST /api/v1/kvm/media/attach: an image of the catalog by name, its mode (cdrom or disk; none: cdrom for a .iso, else disk), read-write (disks only).</summary>
internal sealed record MediaAttachRequest(string Image, string? Mode = null, bool Rw = false);

/// <summary>The virtual drive: the image in it (null: empty), its mode, read-only, the bytes the host sees; after a change, whether the last medium had to be ejected by force and why the medium is not what was asked for.</summary>
internal sealed record MediaReply(string? Image, string? File, string Mode, bool ReadOnly, long Bytes, bool ForcedEject, string? Message);

/// <summary>POST /api/v1/kvm/type: text typed on the console host's keyboard in the site's layout, or in layout (its name, like de or ch-fr) when the host is set to another one for the moment.</summary>
internal sealed record TypeRequest(string Text, string? Layout = null);

/// <summary>POST /api/v1/kvm/keys: a chord (ctrl+alt+delete), pressed and released repeat times delay_ms apart, or held down (hold).</summary>
internal sealed record KeysRequest(string Keys, int Repeat = 1, int DelayMs = 100, bool Hold = false);

/// <summary>POST /api/v1/kvm/mouse: the absolute pointer to x, y (0..32767 each, 0,0 top left), then a click (left, right, middle) or none.</summary>
internal sealed record MouseRequest(int X, int Y, string? Click = null);

/// <summary>What a keyboard or pointer request did, as a sentence.</summary>
internal sealed record KvmDoneReply(string Message);

/// <summary>GET /api/v1/kvm: the console host, the UDC and its USB state (configured: the host has enumerated the gadget), the layout, the LEDs the host has lit, the keys held, the drive.</summary>
internal sealed record KvmStatusReply(string Host, string Udc, string UsbState, string KeyboardLayout, string[] Leds, string[] Held, MediaReply Media);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(MediaAttachRequest))]
[JsonSerializable(typeof(MediaReply))]
[JsonSerializable(typeof(TypeRequest))]
[JsonSerializable(typeof(KeysRequest))]
[JsonSerializable(typeof(MouseRequest))]
[JsonSerializable(typeof(KvmDoneReply))]
[JsonSerializable(typeof(KvmStatusReply))]
internal sealed partial class KvmJson : JsonSerializerContext;
