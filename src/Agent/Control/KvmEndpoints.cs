using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Kvm;
using NetbootPi.Agent.Site;
using NetbootPi.Hardware.UsbGadget;

namespace NetbootPi.Agent.Control;

/// <summary>
/// The console host's virtual drive, keyboard and pointer on the control API (docs/console.md): status for viewers,
/// every change for operators, each change a boot event of the console host with who asked. Without <c>kvm:</c> in
/// the site every route answers 409 saying so.
/// </summary>
public sealed class KvmEndpoints(SiteState state, KvmService kvm) : IControlEndpoints
{
    public const string StatusPath = "/api/v1/kvm";
    public const string MediaPath = "/api/v1/kvm/media";
    public const string AttachPath = "/api/v1/kvm/media/attach";
    public const string EjectPath = "/api/v1/kvm/media/eject";
    public const string TypePath = "/api/v1/kvm/type";
    public const string KeysPath = "/api/v1/kvm/keys";
    public const string ReleasePath = "/api/v1/kvm/release";
    public const string MousePath = "/api/v1/kvm/mouse";

    public IEnumerable<ControlRoute> Routes =>
    [
        new("GET", StatusPath, ControlRole.Viewer, Changes: false, StatusAsync)
        {
            Summary = "The console host's USB gadget: the UDC and its USB state, the keyboard layout, the LEDs the host has lit, the keys held, the drive.",
            Reply = KvmJson.Default.KvmStatusReply,
        },
        new("GET", MediaPath, ControlRole.Viewer, Changes: false, MediaAsync)
        {
            Summary = "The virtual drive: the image in it, CD-ROM or disk, read-only, the bytes the host sees.",
            Reply = KvmJson.Default.MediaReply,
        },
        new("POST", AttachPath, ControlRole.Operator, Changes: true, AttachAsync)
        {
            HostOf = HostOf,
            Summary = "Puts an image of DATA_DIR/images in the drive, ejecting the one there (by force when the host has it locked), without rebinding the gadget; an ISO too large for CD-ROM mode becomes a read-only disk, with a message.",
            Body = KvmJson.Default.MediaAttachRequest,
            Reply = KvmJson.Default.MediaReply,
        },
        new("POST", EjectPath, ControlRole.Operator, Changes: true, EjectAsync)
        {
            HostOf = HostOf,
            Summary = "Empties the drive (by force when the host has it locked).",
            Reply = KvmJson.Default.MediaReply,
        },
        new("POST", TypePath, ControlRole.Operator, Changes: true, TypeAsync)
        {
            HostOf = HostOf,
            Summary = "Types text on the console host's keyboard in the site's layout or the one named (at most 4096 characters; a character the layout lacks refuses it all); every key is released after, or when the caller goes away.",
            Body = KvmJson.Default.TypeRequest,
            Reply = KvmJson.Default.KvmDoneReply,
        },
        new("POST", KeysPath, ControlRole.Operator, Changes: true, KeysAsync)
        {
            HostOf = HostOf,
            Summary = "Presses a chord such as ctrl+alt+delete, repeat times (1-100) delay_ms apart, or holds it down (hold) until released, reset or the host leaves.",
            Body = KvmJson.Default.KeysRequest,
            Reply = KvmJson.Default.KvmDoneReply,
        },
        new("POST", ReleasePath, ControlRole.Operator, Changes: true, ReleaseAsync)
        {
            HostOf = HostOf,
            Summary = "Releases every key of the console host's keyboard.",
            Reply = KvmJson.Default.KvmDoneReply,
        },
        new("POST", MousePath, ControlRole.Operator, Changes: true, MouseAsync)
        {
            HostOf = HostOf,
            Summary = "Moves the absolute pointer to x, y (0-32767 each, 0,0 top left) and clicks there when asked.",
            Body = KvmJson.Default.MouseRequest,
            Reply = KvmJson.Default.KvmDoneReply,
        },
    ];

    private string? HostOf(HttpContext context) => state.Current.Kvm?.Host;

    private async Task<bool> UnavailableAsync(HttpContext context)
    {
        if (kvm.Gadget is not null && kvm.Keyboard is not null) return false;
        await ControlService.ReplyAsync(context, StatusCodes.Status409Conflict, kvm.Failure is { } failure
            ? $"{failure}; fix it and restart the agent (systemctl restart netbootpi)"
            : "this box has no console host: the site names none (kvm: { host: NAME }; docs/console.md), or the agent started without it").ConfigureAwait(false);
        return true;
    }

    private async Task StatusAsync(HttpContext context, ControlCaller caller)
    {
        if (await UnavailableAsync(context).ConfigureAwait(false)) return;
        var keyboard = kvm.Keyboard!;
        var leds = new List<string>();
        for (var bit = 0; bit < LedNames.Length; bit++)
            if (((int)keyboard.Leds & (1 << bit)) != 0) leds.Add(LedNames[bit]);
        var held = keyboard.Held;
        var heldNames = new List<string>();
        for (var bit = 0; bit < ModifierNames.Length; bit++)
            if (((int)held.Modifiers & (1 << bit)) != 0) heldNames.Add(ModifierNames[bit]);
        foreach (var k in held.Keys) heldNames.Add($"0x{k:x2}");
        var reply = new KvmStatusReply(kvm.Settings!.Host, kvm.Gadget!.Udc, kvm.UdcState, kvm.Layout.Name, [.. leds], [.. heldNames], Media(kvm.Gadget.Media, false, null));
        await ControlService.WriteAsync(context, StatusCodes.Status200OK, reply, KvmJson.Default.KvmStatusReply).ConfigureAwait(false);
    }

    private async Task MediaAsync(HttpContext context, ControlCaller caller)
    {
        if (await UnavailableAsync(context).ConfigureAwait(false)) return;
        await ControlService.WriteAsync(context, StatusCodes.Status200OK, Media(kvm.Gadget!.Media, false, null), KvmJson.Default.MediaReply).ConfigureAwait(false);
    }

    private async Task AttachAsync(HttpContext context, ControlCaller caller)
    {
        if (await UnavailableAsync(context).ConfigureAwait(false)) return;
        if (await ControlBody.ReadAsync(context, KvmJson.Default.MediaAttachRequest).ConfigureAwait(false) is not { } request) return;
        MediaMode mode;
        switch (request.Mode)
        {
            case null:
                mode = request.Image.EndsWith(".iso", StringComparison.OrdinalIgnoreCase) ? MediaMode.CdRom : MediaMode.Disk;
                break;
            case "cdrom":
                mode = MediaMode.CdRom;
                break;
            case "disk":
                mode = MediaMode.Disk;
                break;
            default:
                await ControlService.ReplyAsync(context, StatusCodes.Status400BadRequest, $"mode must be cdrom or disk (not '{request.Mode}')").ConfigureAwait(false);
                return;
        }
        if (mode == MediaMode.CdRom && request.Rw)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status400BadRequest,
                $"a CD-ROM is read-only; attach {request.Image} as a disk to write to it (--disk --rw)").ConfigureAwait(false);
            return;
        }
        if (!MediaImages.TryResolve(state.Current.Server.DataDirectory, request.Image, out var path, out var error))
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status404NotFound, error).ConfigureAwait(false);
            return;
        }
        MediaAttachResult result;
        try
        {
            result = kvm.AttachImage(request.Image, path, mode, !request.Rw, caller.EventClient);
        }
        catch (UsbGadgetException e)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status422UnprocessableEntity, e.Message).ConfigureAwait(false);
            return;
        }
        await ControlService.WriteAsync(context, StatusCodes.Status200OK, Media(result.Media, result.ForcedEject, result.Message), KvmJson.Default.MediaReply).ConfigureAwait(false);
    }

    private async Task EjectAsync(HttpContext context, ControlCaller caller)
    {
        if (await UnavailableAsync(context).ConfigureAwait(false)) return;
        bool forced;
        try
        {
            forced = kvm.EjectImage(caller.EventClient);
        }
        catch (UsbGadgetException e)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status422UnprocessableEntity, e.Message).ConfigureAwait(false);
            return;
        }
        await ControlService.WriteAsync(context, StatusCodes.Status200OK, Media(kvm.Gadget!.Media, forced, null), KvmJson.Default.MediaReply).ConfigureAwait(false);
    }

    private async Task TypeAsync(HttpContext context, ControlCaller caller)
    {
        if (await UnavailableAsync(context).ConfigureAwait(false)) return;
        if (await ControlBody.ReadAsync(context, KvmJson.Default.TypeRequest).ConfigureAwait(false) is not { } request) return;
        var layout = request.Layout is { } name ? KeyboardLayout.Find(name) : kvm.Layout;
        if (layout is null)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status400BadRequest,
                $"no table for keyboard layout '{request.Layout}' (there is: {string.Join(", ", KeyboardLayout.Names)})").ConfigureAwait(false);
            return;
        }
        // The text itself is never recorded: it may be a password typed at a prompt.
        await KeyboardAsync(context, caller, $"type {request.Text.Length} characters" + (request.Layout is null ? "" : $" in layout {layout.Name}"),
            () => kvm.Keyboard!.TypeAsync(request.Text, layout, context.RequestAborted)).ConfigureAwait(false);
    }

    private async Task KeysAsync(HttpContext context, ControlCaller caller)
    {
        if (await UnavailableAsync(context).ConfigureAwait(false)) return;
        if (await ControlBody.ReadAsync(context, KvmJson.Default.KeysRequest).ConfigureAwait(false) is not { } request) return;
        if (!KeyChord.TryParse(request.Keys, out var stroke, out var error))
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status400BadRequest, error!).ConfigureAwait(false);
            return;
        }
        if (request.DelayMs is < 0 or > 10_000)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status400BadRequest, $"delay_ms must be 0 to 10000 (not {request.DelayMs})").ConfigureAwait(false);
            return;
        }
        if (request.Hold)
            await KeyboardAsync(context, caller, $"hold {request.Keys}", () => kvm.Keyboard!.HoldAsync(stroke, context.RequestAborted)).ConfigureAwait(false);
        else
            await KeyboardAsync(context, caller, $"key {request.Keys} x{request.Repeat}",
                () => kvm.Keyboard!.PressAsync(stroke, request.Repeat, TimeSpan.FromMilliseconds(request.DelayMs), context.RequestAborted)).ConfigureAwait(false);
    }

    private async Task ReleaseAsync(HttpContext context, ControlCaller caller)
    {
        if (await UnavailableAsync(context).ConfigureAwait(false)) return;
        await KeyboardAsync(context, caller, "release every key", () => kvm.Keyboard!.ReleaseAllAsync(context.RequestAborted)).ConfigureAwait(false);
    }

    private async Task KeyboardAsync(HttpContext context, ControlCaller caller, string what, Func<Task> action)
    {
        var (status, error) = await RunKeyboardAsync(kvm, caller, what, action, context.RequestAborted).ConfigureAwait(false);
        if (error is not null)
        {
            await ControlService.ReplyAsync(context, status, error).ConfigureAwait(false);
            return;
        }
        await ControlService.WriteAsync(context, StatusCodes.Status200OK, new KvmDoneReply($"{what}: done"), KvmJson.Default.KvmDoneReply).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a keyboard action and records it as the console host's event (<paramref name="what"/>, never the text
    /// typed): the one way every API (native, kvmd's) drives the keyboard. Returns 200 and no error when done, else
    /// the status and sentence to refuse with: 400 bad input, 429 the keyboard's queue full, 409 the host not there.
    /// </summary>
    internal static async Task<(int Status, string? Error)> RunKeyboardAsync(KvmService kvm, ControlCaller caller, string what, Func<Task> action,
        CancellationToken aborted)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            return (StatusCodes.Status400BadRequest, e.Message);
        }
        catch (InvalidOperationException e)
        {
            return (StatusCodes.Status429TooManyRequests, e.Message);
        }
        catch (UsbGadgetException e)
        {
            kvm.Record(caller.EventClient, $"{what}: {e.Message}", succeeded: false);
            return (StatusCodes.Status409Conflict, e.Message);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            kvm.Record(caller.EventClient, $"{what}: stopped, the client went away; every key released", succeeded: false);
            throw;
        }
        kvm.Record(caller.EventClient, what, succeeded: true);
        return (StatusCodes.Status200OK, null);
    }

    private async Task MouseAsync(HttpContext context, ControlCaller caller)
    {
        if (await UnavailableAsync(context).ConfigureAwait(false)) return;
        if (await ControlBody.ReadAsync(context, KvmJson.Default.MouseRequest).ConfigureAwait(false) is not { } request) return;
        MouseButtons click;
        switch (request.Click)
        {
            case null or "none": click = MouseButtons.None; break;
            case "left": click = MouseButtons.Left; break;
            case "right": click = MouseButtons.Right; break;
            case "middle": click = MouseButtons.Middle; break;
            default:
                await ControlService.ReplyAsync(context, StatusCodes.Status400BadRequest, $"click must be left, right, middle or none (not '{request.Click}')").ConfigureAwait(false);
                return;
        }
        try
        {
            kvm.Mouse!.MoveAndClick(request.X, request.Y, click);
        }
        catch (ArgumentException e)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status400BadRequest, e.Message).ConfigureAwait(false);
            return;
        }
        catch (UsbGadgetException e)
        {
            await ControlService.ReplyAsync(context, StatusCodes.Status409Conflict, e.Message).ConfigureAwait(false);
            return;
        }
        var what = $"pointer to {request.X},{request.Y}" + (click == MouseButtons.None ? "" : $", {request.Click} click");
        await ControlService.WriteAsync(context, StatusCodes.Status200OK, new KvmDoneReply($"{what}: done"), KvmJson.Default.KvmDoneReply).ConfigureAwait(false);
    }

    private MediaReply Media(MediaState media, bool forced, string? message)
    {
        var folder = MediaImages.Folder(state.Current.Server.DataDirectory);
        var image = media.File is { } f && Path.GetDirectoryName(f) == folder ? Path.GetFileName(f) : null;
        return new MediaReply(image, media.File, media.Mode == MediaMode.CdRom ? "cdrom" : "disk", media.ReadOnly, media.Bytes, forced, message);
    }

    // By bit: the boot report's LED byte and modifier byte (KeyboardLeds, KeyModifiers).
    private static readonly string[] LedNames = ["num_lock", "caps_lock", "scroll_lock", "compose", "kana"];
    private static readonly string[] ModifierNames = ["left_ctrl", "left_shift", "left_alt", "left_gui", "right_ctrl", "right_shift", "right_alt", "right_gui"];
}
