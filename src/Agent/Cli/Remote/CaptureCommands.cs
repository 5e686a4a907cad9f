using System.CommandLine;
using System.Globalization;
using NetbootPi.Agent.Control;

namespace NetbootPi.Agent.Cli.Remote;

/// <summary>
/// <c>netbootpi capture status|start|stop|snapshot [NAME] [-o FILE]</c>: the console host's screen through the
/// running agent (docs/console.md).
/// </summary>
internal static class CaptureCommands
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var capture = new Command("capture", "the console host's screen: ustreamer on the HDMI capture device, run by the agent");
        capture.Subcommands.Add(Status(stdout));
        capture.Subcommands.Add(Change("start", "start the capture with the site's kvm.capture as it is now (a running one is restarted)", CaptureEndpoints.StartPath, stdout));
        capture.Subcommands.Add(Change("stop", "stop the capture", CaptureEndpoints.StopPath, stdout));
        capture.Subcommands.Add(Snapshot(stdout, stderr));
        return capture;
    }

    private static Command Status(TextWriter stdout)
    {
        var command = new Command("status", "the capture's settings, its unit's state, the source's DV timings and what ustreamer captures") { SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (_, body, r) = await client.SendAsync(HttpMethod.Get, CaptureEndpoints.StatusPath, CaptureJson.Default.CaptureStatusReply, cancellation).ConfigureAwait(false);
            stdout.Write(parse.GetValue(SocketOption.Json) ? body + "\n" : Describe(r));
            return CommandLine.ExitOk;
        });
        return command;
    }

    private static Command Change(string name, string description, string path, TextWriter stdout)
    {
        var command = new Command(name, description) { SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (_, body, r) = await client.SendAsync(HttpMethod.Post, path, CaptureJson.Default.CaptureDoneReply, cancellation).ConfigureAwait(false);
            stdout.Write(parse.GetValue(SocketOption.Json) ? body + "\n" : r.Message + "\n" + Describe(r.Status));
            return CommandLine.ExitOk;
        });
        return command;
    }

    private static Command Snapshot(TextWriter stdout, TextWriter stderr)
    {
        var name = new Argument<string?>("NAME") { Description = "a snapshot kept with the events (its name as netbootpi events shows it); none: the screen now", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string?>("--output", "-o") { Description = "where to write the JPEG ('-': standard output); default: NAME, or capture-TIME.jpg", HelpName = "FILE" };
        var command = new Command("snapshot", "the console host's screen as a JPEG: now, or one kept with its events") { name, output };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var kept = parse.GetValue(name);
            var path = kept is { Length: > 0 } ? $"{CaptureEndpoints.SnapshotFilePath}?name={Uri.EscapeDataString(kept)}" : CaptureEndpoints.SnapshotPath;
            var jpeg = await client.GetBytesAsync(path, cancellation).ConfigureAwait(false);
            var file = parse.GetValue(output) ?? kept ?? $"capture-{DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}.jpg";
            if (file == "-")
            {
                await using var stdoutStream = Console.OpenStandardOutput();
                await stdoutStream.WriteAsync(jpeg, cancellation).ConfigureAwait(false);
                return CommandLine.ExitOk;
            }
            await File.WriteAllBytesAsync(file, jpeg, cancellation).ConfigureAwait(false);
            stdout.WriteLine($"{file}: {jpeg.Length.ToString("N0", CultureInfo.InvariantCulture)} bytes{Size(jpeg)}");
            return CommandLine.ExitOk;
        });
        return command;
    }

    /// <summary>", 640x480" from the JPEG's first frame header (SOF0..SOF2: FF C0..C2, length, precision, height, width; ITU T.81 B.2.2), or "".</summary>
    internal static string Size(byte[] jpeg)
    {
        for (var i = 2; i + 8 < jpeg.Length; i++)
        {
            if (jpeg[i] != 0xFF || jpeg[i + 1] is < 0xC0 or > 0xC2) continue;
            return $", {(jpeg[i + 7] << 8) | jpeg[i + 8]}x{(jpeg[i + 5] << 8) | jpeg[i + 6]}";
        }
        return "";
    }

    internal static string Describe(CaptureStatusReply r)
    {
        var s = new System.Text.StringBuilder();
        s.Append($"console host  {r.Host}\n");
        s.Append($"device        {r.Device} input {r.Input}, {r.Resolution}{(r.Fps is { } f ? $" at {f} fps" : "")}, {r.Format}{(r.Edid is { } e ? $", EDID {e}" : "")}{(r.DvTimings ? ", DV timings" : "")}\n");
        s.Append($"unit          {r.Unit}: {r.UnitState}{(r.Running && !r.Current ? " (started with other settings than the site's now: capture start applies them)" : "")}\n");
        if (r.SourceTimings is { } t) s.Append($"source        {t}\n");
        if (r.Signal is { } signal) s.Append($"source        {signal}\n");
        if (r.Ustreamer is { } u)
            s.Append($"ustreamer     {u.Resolution}, {(u.Online ? "signal" : "no signal")}, {u.CapturedFps} fps captured, {u.Clients} stream client{(u.Clients == 1 ? "" : "s")}\n");
        if (r.Failure is { } failure) s.Append($"failed        {failure}\n");
        return s.ToString();
    }
}
