using System.Formats.Tar;
using System.IO.Compression;

namespace NetbootPi.Agent.Overlays;

/// <summary>Why an uploaded overlay was refused.</summary>
public enum OverlayRejection
{
    None,
    /// <summary>More compressed bytes than <see cref="OverlayStore.MaxCompressedBytes"/>.</summary>
    TooLarge,
    /// <summary>Unpacks to more than <see cref="OverlayStore.MaxDecompressedBytes"/>: refused before it fills the disk of the host that applies it.</summary>
    UnpacksTooLarge,
    /// <summary>Does not start with the gzip magic (RFC 1952 §2.3.1: 1f 8b).</summary>
    NotGzip,
    /// <summary>Gzip, but not a well-formed tar archive with at least one entry inside.</summary>
    NotTar,
}

/// <summary>Checks that a file is a gzip-compressed tar archive of bounded size, as <c>lbu package</c> writes.</summary>
public static class OverlayCheck
{
    public static string Describe(OverlayRejection r) => r switch
    {
        OverlayRejection.TooLarge => $"overlay larger than {OverlayStore.MaxCompressedBytes} bytes",
        OverlayRejection.UnpacksTooLarge => $"overlay unpacks to more than {OverlayStore.MaxDecompressedBytes} bytes",
        OverlayRejection.NotGzip => "not gzip data (expected a .tar.gz as written by lbu package)",
        OverlayRejection.NotTar => "not a tar archive inside the gzip data (expected a .tar.gz as written by lbu package)",
        _ => "ok",
    };

    /// <summary>Checks the whole of <paramref name="file"/> (seekable, read from its start; left open).</summary>
    public static OverlayRejection Check(Stream file, long maxDecompressedBytes)
    {
        file.Position = 0;
        Span<byte> magic = stackalloc byte[2];
        if (file.ReadAtLeast(magic, 2, throwOnEndOfStream: false) < 2 || magic[0] != 0x1f || magic[1] != 0x8b)
            return OverlayRejection.NotGzip;
        file.Position = 0;
        using var gzip = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
        using var limited = new LimitedStream(gzip, maxDecompressedBytes);
        try
        {
            using var tar = new TarReader(limited);
            var entries = 0;
            // Without copying the data TarReader skips over it by reading, so every byte is counted.
            while (tar.GetNextEntry(copyData: false) is not null) entries++;
            // GZipStream reports a cut-off stream as a normal end; the trailer catches it. RFC 1952 §2.3.1:
            // the member ends with CRC32 and ISIZE, the uncompressed length mod 2^32 (lbu writes one member).
            limited.CopyTo(Stream.Null);
            if (limited.Exceeded) return OverlayRejection.UnpacksTooLarge;
            if (entries == 0 || !TrailerMatches(file, limited.Position)) return OverlayRejection.NotTar;
            return OverlayRejection.None;
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or FormatException
                                       or ArgumentException or OverflowException)
        {
            // The decompressor and TarReader report malformed input by throwing; here that is an answer.
            return limited.Exceeded ? OverlayRejection.UnpacksTooLarge : OverlayRejection.NotTar;
        }
    }

    private static bool TrailerMatches(Stream file, long decompressed)
    {
        if (file.Length < 18) return false; // 10-byte header + 8-byte trailer at the least
        Span<byte> trailer = stackalloc byte[4];
        file.Position = file.Length - 4;
        file.ReadExactly(trailer);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(trailer) == (uint)decompressed;
    }

    /// <summary>Reads at most a given number of bytes, then reports end of stream and remembers it was cut.</summary>
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public bool Exceeded { get; private set; }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (Exceeded) return 0;
            var n = inner.Read(buffer);
            _read += n;
            if (_read > limit)
            {
                Exceeded = true;
                return 0;
            }
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
