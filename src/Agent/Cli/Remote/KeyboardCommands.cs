using System.CommandLine;
using NetbootPi.Agent.Control;
using NetbootPi.Hardware.UsbGadget;

namespace NetbootPi.Agent.Cli.Remote;

/// <summary>
/// The console host's keyboard and pointer through the running agent (docs/console.md): <c>netbootpi type "text"</c>,
/// <c>netbootpi key ctrl+alt+delete [--repeat N] [--delay MS] [--hold] [--release]</c>, <c>netbootpi mouse X Y
/// [--click BUTTON]</c>, and <c>netbootpi kvm</c> for the gadget's state.
/// </summary>
internal static class KeyboardCommands
{
    public static Command Type(TextWriter stdout)
    {
        var text = new Argument<string>("TEXT") { Description = "what to type, in the site's keyboard layout (\\n is not Enter: use key enter, or a real newline)" };
        var layout = new Option<string?>("--layout")
        {
            Description = $"the layout the host is set to, when not the site's kvm.keyboard_layout: {string.Join(", ", KeyboardLayout.Names)}",
            HelpName = "NAME",
        };
        var command = new Command("type", "type text on the console host's keyboard") { text, layout, SocketOption.Json };
        command.Validators.Add(r =>
        {
            if (r.GetValue(layout) is { } name && KeyboardLayout.Find(name) is null)
                r.AddError($"--layout: no table for keyboard layout '{name}' (there is: {string.Join(", ", KeyboardLayout.Names)})");
        });
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (_, body, r) = await client.SendAsync(HttpMethod.Post, KvmEndpoints.TypePath, new TypeRequest(parse.GetValue(text)!, parse.GetValue(layout)),
                KvmJson.Default.TypeRequest, KvmJson.Default.KvmDoneReply, cancellation).ConfigureAwait(false);
            stdout.WriteLine(parse.GetValue(SocketOption.Json) ? body : r.Message);
            return CommandLine.ExitOk;
        });
        return command;
    }

    public static Command Key(TextWriter stdout)
    {
        var keys = new Argument<string?>("KEYS") { Description = "a key or chord: F12, enter, ctrl+alt+delete, shift+tab", Arity = ArgumentArity.ZeroOrOne };
        var repeat = new Option<int>("--repeat") { Description = "press it this many times (1-100), for a boot menu key", DefaultValueFactory = _ => 1 };
        var delay = new Option<int>("--delay") { Description = "milliseconds between repeats", DefaultValueFactory = _ => 100, HelpName = "MS" };
        var hold = new Option<bool>("--hold") { Description = "keep it down until key --release (or the host leaves)" };
        var release = new Option<bool>("--release") { Description = "release every key" };
        var command = new Command("key", "press keys on the console host's keyboard") { keys, repeat, delay, hold, release, SocketOption.Json };
        command.Validators.Add(r =>
        {
            var named = r.GetValue(keys) is { Length: > 0 };
            if (r.GetValue(release) && (named || r.GetValue(hold))) r.AddError("--release takes no keys and no --hold");
            else if (!r.GetValue(release) && !named) r.AddError("name the keys to press (like ctrl+alt+delete), or --release");
        });
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (_, body, r) = parse.GetValue(release)
                ? await client.SendAsync(HttpMethod.Post, KvmEndpoints.ReleasePath, KvmJson.Default.KvmDoneReply, cancellation).ConfigureAwait(false)
                : await client.SendAsync(HttpMethod.Post, KvmEndpoints.KeysPath,
                    new KeysRequest(parse.GetValue(keys)!, parse.GetValue(repeat), parse.GetValue(delay), parse.GetValue(hold)),
                    KvmJson.Default.KeysRequest, KvmJson.Default.KvmDoneReply, cancellation).ConfigureAwait(false);
            stdout.WriteLine(parse.GetValue(SocketOption.Json) ? body : r.Message);
            return CommandLine.ExitOk;
        });
        return command;
    }

    public static Command Mouse(TextWriter stdout)
    {
        var x = new Argument<int>("X") { Description = "0 (left) to 32767 (right)" };
        var y = new Argument<int>("Y") { Description = "0 (top) to 32767 (bottom)" };
        var click = new Option<string?>("--click") { Description = "left, right or middle: click there", HelpName = "BUTTON" };
        var command = new Command("mouse", "move the console host's pointer to an absolute position, and click") { x, y, click, SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (_, body, r) = await client.SendAsync(HttpMethod.Post, KvmEndpoints.MousePath, new MouseRequest(parse.GetValue(x), parse.GetValue(y), parse.GetValue(click)),
                KvmJson.Default.MouseRequest, KvmJson.Default.KvmDoneReply, cancellation).ConfigureAwait(false);
            stdout.WriteLine(parse.GetValue(SocketOption.Json) ? body : r.Message);
            return CommandLine.ExitOk;
        });
        return command;
    }

    public static Command Status(TextWriter stdout)
    {
        var command = new Command("kvm", "the console host's USB gadget: USB state, LEDs, held keys, the drive") { SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (_, body, r) = await client.SendAsync(HttpMethod.Get, KvmEndpoints.StatusPath, KvmJson.Default.KvmStatusReply, cancellation).ConfigureAwait(false);
            if (parse.GetValue(SocketOption.Json))
            {
                stdout.WriteLine(body);
                return CommandLine.ExitOk;
            }
            stdout.WriteLine($"console host  {r.Host}");
            stdout.WriteLine($"usb           {r.Udc}: {r.UsbState}");
            stdout.WriteLine($"keyboard      {r.KeyboardLayout}; leds: {(r.Leds.Length == 0 ? "none" : string.Join(", ", r.Leds))}; held: {(r.Held.Length == 0 ? "none" : string.Join(", ", r.Held))}");
            stdout.WriteLine($"drive         {MediaCommands.Describe(r.Media)}");
            return CommandLine.ExitOk;
        });
        return command;
    }
}
