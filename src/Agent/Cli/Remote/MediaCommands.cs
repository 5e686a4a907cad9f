using System.CommandLine;
using System.Globalization;
using NetbootPi.Agent.Control;

namespace NetbootPi.Agent.Cli.Remote;

/// <summary>
/// <c>netbootpi media attach IMAGE [--cdrom|--disk] [--rw] | eject | status</c>: the console host's virtual drive,
/// through the running agent (docs/console.md). The image catalog's own commands (<c>media list|add</c>) join the
/// same <c>media</c> command (<see cref="AddTo"/>).
/// </summary>
internal static class MediaCommands
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var media = new Command("media", "the console host's virtual drive: images from DATA_DIR/images as a USB CD-ROM or disk");
        AddTo(media, stdout, stderr);
        return media;
    }

    /// <summary>Adds attach, eject and status to <paramref name="media"/>.</summary>
    public static void AddTo(Command media, TextWriter stdout, TextWriter stderr)
    {
        media.Subcommands.Add(Attach(stdout, stderr));
        media.Subcommands.Add(Eject(stdout));
        media.Subcommands.Add(Status(stdout));
    }

    private static Command Attach(TextWriter stdout, TextWriter stderr)
    {
        var image = new Argument<string>("IMAGE") { Description = "an image's file name in DATA_DIR/images" };
        var cdrom = new Option<bool>("--cdrom") { Description = "as a CD-ROM (the default for a .iso; read-only; at most 1,151,999 sectors, about 2.2 GiB: a larger ISO becomes a read-only disk)" };
        var disk = new Option<bool>("--disk") { Description = "as a removable disk (the default for anything but a .iso)" };
        var rw = new Option<bool>("--rw") { Description = "let the host write to the disk (disks only; the image changes)" };
        var command = new Command("attach", "put an image in the console host's drive, ejecting the one there") { image, cdrom, disk, rw, SocketOption.Json };
        command.Validators.Add(r =>
        {
            if (r.GetValue(cdrom) && r.GetValue(disk)) r.AddError("--cdrom and --disk exclude each other");
            else if (r.GetValue(cdrom) && r.GetValue(rw)) r.AddError("a CD-ROM is read-only: --rw goes with --disk");
        });
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var mode = parse.GetValue(cdrom) ? "cdrom" : parse.GetValue(disk) ? "disk" : null;
            var (_, body, r) = await client.SendAsync(HttpMethod.Post, KvmEndpoints.AttachPath,
                new MediaAttachRequest(parse.GetValue(image)!, mode, parse.GetValue(rw)), KvmJson.Default.MediaAttachRequest,
                KvmJson.Default.MediaReply, cancellation).ConfigureAwait(false);
            if (parse.GetValue(SocketOption.Json))
            {
                stdout.WriteLine(body);
                return CommandLine.ExitOk;
            }
            if (r.ForcedEject) stderr.WriteLine("the host had the last medium locked: it was ejected by force");
            if (r.Message is { } message) stderr.WriteLine(message);
            stdout.WriteLine(Describe(r));
            return CommandLine.ExitOk;
        });
        return command;
    }

    private static Command Eject(TextWriter stdout)
    {
        var command = new Command("eject", "empty the console host's drive (by force when the host has it locked)") { SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (_, body, r) = await client.SendAsync(HttpMethod.Post, KvmEndpoints.EjectPath, KvmJson.Default.MediaReply, cancellation).ConfigureAwait(false);
            stdout.WriteLine(parse.GetValue(SocketOption.Json) ? body : r.ForcedEject ? "ejected by force (the host had it locked)" : "ejected");
            return CommandLine.ExitOk;
        });
        return command;
    }

    private static Command Status(TextWriter stdout)
    {
        var command = new Command("status", "what is in the console host's drive") { SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (_, body, r) = await client.SendAsync(HttpMethod.Get, KvmEndpoints.MediaPath, KvmJson.Default.MediaReply, cancellation).ConfigureAwait(false);
            stdout.WriteLine(parse.GetValue(SocketOption.Json) ? body : Describe(r));
            return CommandLine.ExitOk;
        });
        return command;
    }

    internal static string Describe(MediaReply r) => r.File is null
        ? "the drive is empty"
        : $"{r.Image ?? r.File} as a {(r.Mode == "cdrom" ? "CD-ROM" : "disk")}, {(r.ReadOnly ? "read-only" : "read-write")}, {r.Bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes";
}
