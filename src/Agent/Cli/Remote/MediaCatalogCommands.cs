using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using NetbootPi.Agent.Control;
using NetbootPi.Agent.Media.Catalog;

namespace NetbootPi.Agent.Cli.Remote;

/// <summary>
/// <c>netbootpi media list|add|remove</c>: the image catalog of the running agent (docs/media.md). <c>add FILE</c>
/// streams the file to the agent; <c>add URL</c> has the agent download it and follows the download to its end. A
/// progress line on a terminal. The <c>media</c> group itself is made in <see cref="CommandLine"/>; these are its
/// catalog's subcommands. Exit codes: 0 done, 1 refused, failed or the agent unreachable, 2 the command line was wrong.
/// </summary>
internal static class MediaCatalogCommands
{
    public static IEnumerable<Command> Create(TextWriter stdout, TextWriter stderr) => [List(stdout), Add(stdout, stderr), Cancel(stdout), Remove(stdout)];

    private static Command List(TextWriter stdout)
    {
        var command = new Command("list", "the images in the catalog (DATA_DIR/images): name, size, SHA-256, when, by whom and from where added") { SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (_, body, images) = await client.SendAsync(HttpMethod.Get, ImageEndpoints.ListPath, ImageJson.Default.ImageReplyArray, cancellation).ConfigureAwait(false);
            if (parse.GetValue(SocketOption.Json))
            {
                stdout.WriteLine(body);
                return CommandLine.ExitOk;
            }
            if (images.Length == 0)
            {
                stdout.WriteLine("no images (netbootpi media add FILE|URL adds one)");
                return CommandLine.ExitOk;
            }
            stdout.WriteLine($"{"NAME",-32} {"SIZE",15} {"SHA256",-16} {"ADDED",-17} {"BY",-12} SOURCE");
            foreach (var i in images)
                stdout.WriteLine($"{i.Name,-32} {i.Size.ToString("N0", CultureInfo.InvariantCulture),15} {(i.Sha256 is { } h ? h[..12] + "..." : "-"),-16} {i.Added.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),-17} {i.AddedBy ?? "-",-12} {i.Source ?? "-"}");
            return CommandLine.ExitOk;
        });
        return command;
    }

    private static Command Add(TextWriter stdout, TextWriter stderr)
    {
        var what = new Argument<string>("FILE|URL") { Description = "a file on this machine, sent to the agent; or an http(s) URL the agent downloads" };
        var sha256 = new Option<string>("--sha256") { Description = "the SHA-256 the image must have (64 hex digits); a mismatch keeps nothing", HelpName = "HEX" };
        var name = new Option<string>("--name") { Description = "the image's name in the catalog (default: the file's name, or the URL's last segment)", HelpName = "NAME" };
        var command = new Command("add", "add an image to the catalog by upload (a file) or by URL (the agent downloads it)") { what, sha256, name, SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            var source = parse.GetValue(what)!;
            using var client = SocketOption.Client(parse);
            return Uri.TryCreate(source, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
                ? await FetchAsync(client, parse, source, parse.GetValue(name), parse.GetValue(sha256), stdout, stderr, cancellation).ConfigureAwait(false)
                : await UploadAsync(client, parse, source, parse.GetValue(name), parse.GetValue(sha256), stdout, stderr, cancellation).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> UploadAsync(ControlClient client, ParseResult parse, string file, string? name, string? sha256,
        TextWriter stdout, TextWriter stderr, CancellationToken cancellation)
    {
        name ??= Path.GetFileName(file);
        FileStream stream;
        try
        {
            stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"netbootpi: {Os.Files.FileErrors.Describe(e, file)} (expected a file to upload, or an http(s) URL)");
            return CommandLine.ExitInvalid;
        }
        await using (stream.ConfigureAwait(false))
        {
            var progress = Terminal(stderr) ? new ProgressLine(stderr, name, stream.Length) : null;
            var content = new StreamContent(new CountingStream(stream, progress), 1 << 20);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Headers.ContentLength = stream.Length;
            var query = $"?name={Uri.EscapeDataString(name)}" + (sha256 is null ? "" : $"&sha256={Uri.EscapeDataString(sha256)}");
            client.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
            try
            {
                var (_, body, image) = await client.SendAsync(HttpMethod.Post, ImageEndpoints.UploadPath + query, content, ImageJson.Default.ImageReply, cancellation).ConfigureAwait(false);
                progress?.End();
                stdout.WriteLine(parse.GetValue(SocketOption.Json) ? body : $"added {image.Name} ({image.Size.ToString("N0", CultureInfo.InvariantCulture)} bytes, sha256 {image.Sha256})");
                return CommandLine.ExitOk;
            }
            finally
            {
                progress?.End();
            }
        }
    }

    private static async Task<int> FetchAsync(ControlClient client, ParseResult parse, string url, string? name, string? sha256,
        TextWriter stdout, TextWriter stderr, CancellationToken cancellation)
    {
        var (_, _, job) = await client.SendAsync(HttpMethod.Post, ImageEndpoints.FetchPath, new ImageFetchRequest(url, name, sha256),
            ImageJson.Default.ImageFetchRequest, ImageJson.Default.ImageJobReply, cancellation).ConfigureAwait(false);
        var progress = Terminal(stderr) ? new ProgressLine(stderr, job.Name, null) : null;
        var body = "";
        try
        {
            while (job.State is "queued" or "running")
            {
                (_, body, var jobs) = await client.SendAsync(HttpMethod.Get, $"{ImageEndpoints.JobsPath}?id={Uri.EscapeDataString(job.Id)}&after={job.Version}",
                    ImageJson.Default.ImageJobReplyArray, cancellation).ConfigureAwait(false);
                job = jobs[0];
                progress?.Show(job.Bytes, job.Total);
            }
        }
        finally
        {
            progress?.End();
        }
        if (parse.GetValue(SocketOption.Json)) stdout.WriteLine(body.Trim() is ['[', .. var inner, ']'] ? inner.Trim() : body);
        if (job.State != "done")
        {
            if (!parse.GetValue(SocketOption.Json)) stderr.WriteLine($"netbootpi: {job.Message}");
            return CommandLine.ExitInvalid;
        }
        if (!parse.GetValue(SocketOption.Json))
            stdout.WriteLine($"added {job.Name} ({job.Bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes, sha256 {job.Image?.Sha256}) from {job.Source}");
        return CommandLine.ExitOk;
    }

    private static Command Cancel(TextWriter stdout)
    {
        var name = new Argument<string>("NAME") { Description = "the name the image is being downloaded as" };
        var command = new Command("cancel", "stop a download the agent runs or has queued (media add URL); nothing of it is kept") { name, SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (_, body, job) = await client.SendAsync(HttpMethod.Post, ImageEndpoints.CancelPath, new ImageNameRequest(parse.GetValue(name)!),
                ImageJson.Default.ImageNameRequest, ImageJson.Default.ImageJobReply, cancellation).ConfigureAwait(false);
            stdout.WriteLine(parse.GetValue(SocketOption.Json) ? body
                : job.IsOver() ? $"{job.Name}: {job.Message}" : $"{job.Name}: cancelling (GET {ImageEndpoints.JobsPath}?id={job.Id} shows when it has stopped)");
            return CommandLine.ExitOk;
        });
        return command;
    }

    private static bool IsOver(this ImageJobReply job) => job.State is not ("queued" or "running");

    private static Command Remove(TextWriter stdout)
    {
        var name = new Argument<string>("NAME") { Description = "the image's name, as media list shows it" };
        var command = new Command("remove", "remove an image from the catalog (and an interrupted download of that name)") { name, SocketOption.Json };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = SocketOption.Client(parse);
            var (_, body, r) = await client.SendAsync(HttpMethod.Post, ImageEndpoints.RemovePath, new ImageNameRequest(parse.GetValue(name)!),
                ImageJson.Default.ImageNameRequest, ImageJson.Default.ImageDoneReply, cancellation).ConfigureAwait(false);
            stdout.WriteLine(parse.GetValue(SocketOption.Json) ? body : r.Message);
            return CommandLine.ExitOk;
        });
        return command;
    }

    /// <summary>A progress line only where someone watches it: standard error is this process's terminal.</summary>
    private static bool Terminal(TextWriter stderr) => ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;

    /// <summary>One line rewritten in place (carriage return): name, percent or MiB so far.</summary>
    private sealed class ProgressLine(TextWriter stderr, string name, long? total)
    {
        private long _shown = -1;
        private bool _written;

        public void Show(long bytes, long? length = null)
        {
            var whole = length ?? total;
            var step = whole is > 0 ? 100 * bytes / whole.Value : bytes >> 20;
            if (step == _shown) return;
            _shown = step;
            _written = true;
            stderr.Write(whole is > 0 ? $"\r{name}: {step}% of {whole.Value >> 20} MiB " : $"\r{name}: {step} MiB ");
        }

        public void End()
        {
            if (!_written) return;
            _written = false;
            stderr.WriteLine();
        }
    }

    /// <summary>The file as the upload reads it, telling the progress line how far it got.</summary>
    private sealed class CountingStream(Stream inner, ProgressLine? progress) : Stream
    {
        private long _read;

        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Counted(int n)
        {
            _read += n;
            progress?.Show(_read);
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
