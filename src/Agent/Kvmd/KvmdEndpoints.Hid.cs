using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using NetbootPi.Agent.Capture;
using NetbootPi.Agent.Control;
using NetbootPi.Hardware.UsbGadget;

namespace NetbootPi.Agent.Kvmd;

// kvmd's HID (kvmd/apps/kvmd/api/hid.py) on the console host's keyboard, and its streamer's snapshot on the capture.
public sealed partial class KvmdEndpoints
{
    /// <summary>How many characters kvmd types of a body when limit is not given.</summary>
    public const int DefaultPrintLimit = 1024;

    private static readonly TimeSpan SnapshotTime = TimeSpan.FromSeconds(5);

    private async Task PrintAsync(HttpContext context, ControlCaller caller)
    {
        var limitText = context.Request.Query["limit"].ToString();
        var limit = DefaultPrintLimit;
        if (limitText.Length > 0 && !int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit))
        {
            await KvmdReplies.InvalidAsync(context, limitText, "int (>= 0)", "limit=N characters, 0 for all").ConfigureAwait(false);
            return;
        }
        var layout = kvm?.Layout ?? KeyboardLayout.Us;
        if (context.Request.Query["keymap"].ToString() is { Length: > 0 } keymap)
        {
            if (KvmdKeys.Layout(keymap) is not { } named)
            {
                await KvmdReplies.InvalidAsync(context, keymap, "keymap", $"one of {string.Join(", ", KeyboardLayout.Names)}").ConfigureAwait(false);
                return;
            }
            layout = named;
        }
        if (await TextAsync(context).ConfigureAwait(false) is not { } text) return;
        if (limit > 0 && text.Length > limit) text = text[..limit];
        if (!await KeyboardThereAsync(context).ConfigureAwait(false)) return;
        // The text itself is never recorded: it may be a password typed at a prompt.
        await KeyboardAsync(context, caller, $"type {text.Length} characters" + (layout == kvm!.Layout ? "" : $" in layout {layout.Name}"),
            () => kvm.Keyboard!.TypeAsync(text, layout, context.RequestAborted)).ConfigureAwait(false);
    }

    /// <summary>The body as UTF-8 text, at most <see cref="ControlBody.MaxBytes"/> bytes; null after answering 400.</summary>
    private static async Task<string?> TextAsync(HttpContext context)
    {
        var buffer = new byte[ControlBody.MaxBytes + 1];
        var length = 0;
        int n;
        while (length < buffer.Length && (n = await context.Request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted).ConfigureAwait(false)) > 0)
            length += n;
        if (length > ControlBody.MaxBytes)
        {
            await KvmdReplies.InvalidAsync(context, "(body)", "text",
                $"the body is longer than {ControlBody.MaxBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes; at most {HidKeyboard.MaxTextLength} characters are typed at once").ConfigureAwait(false);
            return null;
        }
        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    private async Task SendKeyAsync(HttpContext context, ControlCaller caller)
    {
        var code = context.Request.Query["key"].ToString();
        if (KvmdKeys.NameOf(code) is not { } name || !KeyChord.TryParse(name, out var stroke, out _))
        {
            await KvmdReplies.InvalidAsync(context, code, "Keyboard key",
                "a KeyboardEvent.code name the box's keyboard has: KeyA-KeyZ, Digit0-Digit9, F1-F24, Enter, Escape, Backspace, Tab, Space, the arrows, ControlLeft, ShiftRight...").ConfigureAwait(false);
            return;
        }
        var (ok, state) = await BoolQueryAsync(context, "state").ConfigureAwait(false);
        if (!ok) return;
        if (!await KeyboardThereAsync(context).ConfigureAwait(false)) return;
        var keyboard = kvm!.Keyboard!;
        await (state switch
        {
            true => KeyboardAsync(context, caller, $"hold {name}", () => keyboard.HoldAsync(stroke, context.RequestAborted)),
            false => KeyboardAsync(context, caller, $"release {name}", () => keyboard.ReleaseAsync(stroke, context.RequestAborted)),
            null => KeyboardAsync(context, caller, $"key {name} x1", () => keyboard.PressAsync(stroke, 1, TimeSpan.Zero, context.RequestAborted)),
        }).ConfigureAwait(false);
    }

    /// <summary>False after answering why there is no keyboard.</summary>
    private async Task<bool> KeyboardThereAsync(HttpContext context)
    {
        if (kvm?.Gadget is not null && kvm.Keyboard is not null) return true;
        await KvmdReplies.ErrorAsync(context, StatusCodes.Status400BadRequest, "OperationError", kvm?.Failure is { } failure
            ? $"{failure}; fix it and restart the agent (systemctl restart netbootpi)"
            : "this box has no console host: the site names none (kvm: { host: NAME }; docs/console.md), or the agent started without it").ConfigureAwait(false);
        return false;
    }

    private async Task KeyboardAsync(HttpContext context, ControlCaller caller, string what, Func<Task> action)
    {
        var (status, error) = await KvmEndpoints.RunKeyboardAsync(kvm!, caller, what, action, context.RequestAborted).ConfigureAwait(false);
        if (error is null)
        {
            await KvmdReplies.DoneAsync(context).ConfigureAwait(false);
            return;
        }
        // kvmd's statuses: bad input 400, busy 409, any other failure of the operation 400.
        var (kvmdStatus, name) = status switch
        {
            StatusCodes.Status400BadRequest => (StatusCodes.Status400BadRequest, "ValidatorError"),
            StatusCodes.Status429TooManyRequests => (StatusCodes.Status409Conflict, "IsBusyError"),
            _ => (StatusCodes.Status400BadRequest, "OperationError"),
        };
        await KvmdReplies.ErrorAsync(context, kvmdStatus, name, error).ConfigureAwait(false);
    }

    private async Task SnapshotAsync(HttpContext context, ControlCaller caller)
    {
        if (state.Current.Kvm?.Capture is null || capture is null)
        {
            await KvmdReplies.ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "UnavailableError",
                "this box captures no screen: the site has no kvm.capture (kvm: { host: NAME, capture: { device: /dev/video0 } }; docs/console.md)").ConfigureAwait(false);
            return;
        }
        byte[] jpeg;
        try
        {
            jpeg = await capture.Client.SnapshotAsync(SnapshotTime, context.RequestAborted).ConfigureAwait(false);
        }
        catch (CaptureException e)
        {
            // kvmd's answer when its streamer has no picture to give.
            await KvmdReplies.ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "UnavailableError", e.Message).ConfigureAwait(false);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "image/jpeg";
        context.Response.ContentLength = jpeg.Length;
        await context.Response.Body.WriteAsync(jpeg, context.RequestAborted).ConfigureAwait(false);
    }
}
