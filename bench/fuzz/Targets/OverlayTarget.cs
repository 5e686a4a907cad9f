using System.Formats.Tar;
using System.IO.Compression;
using NetbootPi.Agent.Overlays;

namespace NetbootPi.Fuzz.Targets;

/// <summary>
/// The overlay upload check (<see cref="OverlayCheck"/>: gzip, then tar, bounded): an answer for every file, never
/// an exception; what it accepts really unpacks to no more than the limit; memory does not follow the sizes the
/// tar headers claim.
/// </summary>
public sealed class OverlayTarget : FuzzTarget
{
    // Smaller than the agent's limit so that the fuzzer reaches it with small inputs.
    private const long MaxDecompressed = 256 * 1024;

    public override string Name => "overlay";

    public override IEnumerable<KeyValuePair<string, byte[]>> Seeds()
    {
        yield return new("lbu-package", Pack(TarEntryFormat.Ustar, ("etc/hostname", "shoe\n"u8.ToArray()), ("etc/apk/world", "openssh\n"u8.ToArray())));
        yield return new("gnu-long-name", Pack(TarEntryFormat.Gnu, (new string('d', 120) + "/" + new string('f', 80), new byte[600])));
        yield return new("pax", Pack(TarEntryFormat.Pax, ("etc/motd", new byte[10]), ("var/x", new byte[3000])));
        yield return new("v7", Pack(TarEntryFormat.V7, ("a", "a"u8.ToArray())));
    }

    private static byte[] Pack(TarEntryFormat format, params (string Name, byte[] Data)[] files)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        using (var tar = new TarWriter(gzip, format, leaveOpen: true))
        {
            foreach (var (name, data) in files)
            {
                TarEntry entry = format switch
                {
                    TarEntryFormat.Gnu => new GnuTarEntry(TarEntryType.RegularFile, name),
                    TarEntryFormat.Pax => new PaxTarEntry(TarEntryType.RegularFile, name),
                    TarEntryFormat.V7 => new V7TarEntry(TarEntryType.V7RegularFile, name),
                    _ => new UstarTarEntry(TarEntryType.RegularFile, name),
                };
                entry.DataStream = new MemoryStream(data);
                tar.WriteEntry(entry);
            }
        }
        return output.ToArray();
    }

    public override void Run(ReadOnlySpan<byte> input)
    {
        var bytes = input.ToArray();
        using var file = new MemoryStream(bytes, writable: false);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var verdict = OverlayCheck.Check(file, MaxDecompressed);
        // The decompressor's window and buffers and the tar headers' strings (long names and PAX records are at
        // most what was unpacked, itself capped); never the size a header claims.
        CheckAllocation("overlay check", before, input.Length, 4 * MaxDecompressed + (1 << 20), 16);
        Require(Enum.IsDefined(verdict), $"verdict {verdict}");
        if (verdict != OverlayRejection.None) return;

        // Accepted: it must really be gzip whose content fits the limit (checked by unpacking it once more).
        using var gzip = new GZipStream(new MemoryStream(bytes, writable: false), CompressionMode.Decompress);
        var buffer = new byte[16 * 1024];
        long total = 0;
        int n;
        try
        {
            while ((n = gzip.Read(buffer)) > 0 && total <= MaxDecompressed) total += n;
        }
        catch (InvalidDataException e)
        {
            throw new InvariantViolation($"an overlay accepted as gzip does not unpack: {e.Message}");
        }
        Require(total <= MaxDecompressed, $"an overlay accepted that unpacks to more than {MaxDecompressed} bytes");
    }
}
