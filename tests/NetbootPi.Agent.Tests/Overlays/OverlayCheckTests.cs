using System.Formats.Tar;
using System.IO.Compression;
using NetbootPi.Agent.Overlays;

namespace NetbootPi.Agent.Tests.Overlays;

/// <summary>What an uploaded overlay must be: gzip, tar inside, bounded when unpacked.</summary>
public class OverlayCheckTests
{
    private static MemoryStream Write(byte[] bytes) => new(bytes, writable: false);

    private static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gz = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(content);
        return buffer.ToArray();
    }

    private static byte[] Tar(params (string Name, int Size)[] files)
    {
        using var buffer = new MemoryStream();
        using (var tar = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
            foreach (var (name, size) in files)
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(new byte[size]) });
        return buffer.ToArray();
    }

    [Fact]
    public void A_gzip_tar_within_the_limit_passes() =>
        Assert.Equal(OverlayRejection.None, OverlayCheck.Check(Write(Gzip(Tar(("etc/hostname", 6), ("etc/motd", 100)))), 1 << 20));

    [Fact]
    public void Unpacking_beyond_the_limit_is_refused_without_unpacking_it_all()
    {
        // 8 MiB of zeros compress to a few KiB: the kind of upload the decompressed limit is for.
        var bomb = Gzip(Tar(("big", 8 << 20)));
        Assert.True(bomb.Length < 1 << 20);
        Assert.Equal(OverlayRejection.UnpacksTooLarge, OverlayCheck.Check(Write(bomb), 1 << 20));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x1f })]
    [InlineData(new byte[] { (byte)'P', (byte)'K', 3, 4 })]          // a zip file
    [InlineData(new byte[] { (byte)'u', (byte)'s', (byte)'t', (byte)'a', (byte)'r' })]
    public void Anything_without_the_gzip_magic_is_not_gzip(byte[] bytes) =>
        Assert.Equal(OverlayRejection.NotGzip, OverlayCheck.Check(Write(bytes), 1 << 20));

    [Theory]
    [InlineData("text")]
    [InlineData("bytes")]
    [InlineData("empty-archive")] // only the end-of-archive blocks: carries no overlay
    public void Gzip_of_something_else_is_not_tar(string what)
    {
        var content = what switch
        {
            "text" => "hello\n"u8.ToArray(),
            "bytes" => Enumerable.Range(0, 1024).Select(i => (byte)i).ToArray(),
            _ => new byte[1024], // two zero blocks: a tar end marker and nothing before it
        };
        Assert.Equal(OverlayRejection.NotTar, OverlayCheck.Check(Write(Gzip(content)), 1 << 20));
    }

    [Fact]
    public void Cut_short_uploads_are_refused()
    {
        var whole = Gzip(Tar(("etc/hostname", 6), ("etc/big", 100_000)));
        foreach (var cut in new[] { 2, 10, whole.Length / 2, whole.Length - 5 })
            Assert.NotEqual(OverlayRejection.None, OverlayCheck.Check(Write(whole[..cut]), 1 << 20));
    }

    [Fact]
    public void Corrupted_bytes_never_throw()
    {
        var whole = Gzip(Tar(("etc/hostname", 6), ("etc/motd", 3000)));
        var random = new Random(7);
        for (var i = 0; i < 200; i++)
        {
            var copy = (byte[])whole.Clone();
            copy[2 + random.Next(copy.Length - 2)] ^= (byte)(1 + random.Next(255));
            _ = OverlayCheck.Check(Write(copy), 1 << 20); // any answer but an exception
        }
    }

    [Theory]
    [InlineData(TarEntryFormat.Gnu)]
    [InlineData(TarEntryFormat.Ustar)]
    [InlineData(TarEntryFormat.V7)]
    public void Every_tar_format_lbu_or_tar_writes_passes(TarEntryFormat format)
    {
        using var buffer = new MemoryStream();
        using (var tar = new TarWriter(buffer, format, leaveOpen: true))
        {
            TarEntry entry = format switch
            {
                TarEntryFormat.Gnu => new GnuTarEntry(TarEntryType.RegularFile, new string('d', 150) + "/hostname"),
                TarEntryFormat.Ustar => new UstarTarEntry(TarEntryType.RegularFile, "etc/hostname"),
                _ => new V7TarEntry(TarEntryType.V7RegularFile, "etc/hostname"),
            };
            entry.DataStream = new MemoryStream(new byte[700]);
            tar.WriteEntry(entry);
        }
        Assert.Equal(OverlayRejection.None, OverlayCheck.Check(Write(Gzip(buffer.ToArray())), 1 << 20));
    }

    [Fact]
    public void A_long_name_declaring_100_MB_is_refused_without_allocating_it()
    {
        // Found by fuzzing (bench/fuzz.sh overlay): 120 bytes of gzip holding a GNU long-name header ('L') that
        // declares 100 MB; TarReader allocated all of it before reading a byte (134 MB for this upload).
        var upload = File.ReadAllBytes(Path.Combine(Site.SiteText.RepoRoot, "bench", "fuzz", "regressions", "overlay", "gnu-long-name-declares-100mb.tar.gz"));
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(OverlayRejection.NotTar, OverlayCheck.Check(Write(upload), 1 << 20));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1 << 20);
    }
}
