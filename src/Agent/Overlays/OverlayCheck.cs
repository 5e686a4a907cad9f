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
            if (!CountEntries(limited, out var entries))
                return limited.Exceeded ? OverlayRejection.UnpacksTooLarge : OverlayRejection.NotTar;
            // GZipStream reports a cut-off stream as a normal end; the trailer catches it. RFC 1952 §2.3.1:
            // the member ends with CRC32 and ISIZE, the uncompressed length mod 2^32 (lbu writes one member).
            limited.CopyTo(Stream.Null);
            if (limited.Exceeded) return OverlayRejection.UnpacksTooLarge;
            if (entries == 0 || !TrailerMatches(file, limited.Position)) return OverlayRejection.NotTar;
            return OverlayRejection.None;
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException)
        {
            // The decompressor reports malformed input by throwing; here that is an answer.
            return limited.Exceeded ? OverlayRejection.UnpacksTooLarge : OverlayRejection.NotTar;
        }
    }

    /// <summary>
    /// Walks the tar headers (POSIX.1-1988 ustar, GNU and pax: 512-byte blocks, each header's checksum checked)
    /// and skips each entry's data by reading it, so every byte is counted against the limit. Our own walk rather
    /// than TarReader: TarReader allocates a GNU long name's or a pax header's whole declared size up front, and
    /// fuzzing found a 120-byte upload declaring 100 MB that way (bench/fuzz/regressions/overlay). Metadata
    /// entries are refused past <see cref="MaxMetadataBytes"/>; nothing here allocates.
    /// </summary>
    private static bool CountEntries(Stream tar, out int entries)
    {
        entries = 0;
        Span<byte> block = stackalloc byte[BlockSize];
        while (true)
        {
            var n = tar.ReadAtLeast(block, BlockSize, throwOnEndOfStream: false);
            if (n == 0) return true;
            if (n < BlockSize) return false;
            if (block.IndexOfAnyExcept((byte)0) < 0) return true; // the end-of-archive blocks
            if (!ChecksumMatches(block) || !TryReadSize(block.Slice(124, 12), out var size)) return false;
            var type = block[156];
            // GNU long names and links ('L', 'K'), pax extended and global headers ('x', 'g'): names and
            // attributes for the next entry, a few hundred bytes in real archives.
            if (type is (byte)'L' or (byte)'K' or (byte)'x' or (byte)'g')
            {
                if (size > MaxMetadataBytes) return false;
            }
            else entries++;
            for (var blocks = (size + BlockSize - 1) / BlockSize; blocks > 0; blocks--)
            {
                if (tar.ReadAtLeast(block, BlockSize, throwOnEndOfStream: false) < BlockSize) return false;
            }
        }
    }

    private const int BlockSize = 512;

    /// <summary>The most a GNU long name or a pax header may declare: far above any real path, far below memory.</summary>
    private const long MaxMetadataBytes = 64 * 1024;

    /// <summary>The header's sum with its own checksum field counted as spaces, unsigned (POSIX) or signed (old tars).</summary>
    private static bool ChecksumMatches(ReadOnlySpan<byte> header)
    {
        if (!TryReadOctal(header.Slice(148, 8), out var stored)) return false;
        long unsigned = 0, signed = 0;
        for (var i = 0; i < BlockSize; i++)
        {
            var b = i is >= 148 and < 156 ? (byte)' ' : header[i];
            unsigned += b;
            signed += (sbyte)b;
        }
        return stored == unsigned || stored == signed;
    }

    /// <summary>The size field: octal digits, or GNU's base-256 (the first byte's high bit set) for 8 GiB and more.</summary>
    private static bool TryReadSize(ReadOnlySpan<byte> field, out long size)
    {
        size = 0;
        if ((field[0] & 0x80) == 0) return TryReadOctal(field, out size);
        // Base-256, big-endian over the field with the marker bit cleared; past 2^63 (or negative) is nothing real.
        if (field[0] != 0x80 || field[1..4].IndexOfAnyExcept((byte)0) >= 0 || field[4] >= 0x80) return false;
        size = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(field[4..]);
        return true;
    }

    /// <summary>Octal digits, leading spaces allowed, ended by NUL or space (or the field's end), as tar writes them.</summary>
    private static bool TryReadOctal(ReadOnlySpan<byte> field, out long value)
    {
        value = 0;
        var i = 0;
        while (i < field.Length && field[i] == ' ') i++;
        var digits = 0;
        for (; i < field.Length && field[i] is >= (byte)'0' and <= (byte)'7'; i++, digits++)
        {
            if (value > (long.MaxValue >> 3)) return false;
            value = (value << 3) | (long)(field[i] - '0');
        }
        for (; i < field.Length; i++)
            if (field[i] is not (0 or (byte)' ')) return false;
        return digits > 0;
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
