using System.Buffers;

namespace NetbootPi.Protocols.Tftp;

/// <summary>
/// Produces the payload of block n from a seekable stream, in octet or netascii, and can go back to any block of
/// the current window for a retransmission. Each block's starting point (source offset, plus in netascii the byte
/// still owed from a CR LF or CR NUL pair split across blocks) is kept in a ring as long as the window.
/// </summary>
internal sealed class TftpBlockReader : IDisposable
{
    private readonly Stream _source;
    private readonly TftpTransferMode _mode;
    private readonly int _blockSize;
    private readonly long[] _offsets;
    private readonly byte[] _carries;
    private byte[]? _scratch;
    private long _position;
    private long _nextBlock = 1;
    private long _positionBlock = 1;
    private int _carry = -1;

    public TftpBlockReader(Stream source, TftpTransferMode mode, int blockSize, int windowSize)
    {
        _source = source;
        _mode = mode;
        _blockSize = blockSize;
        // Blocks from the oldest unacknowledged one to the one after the newest sent must all be reachable.
        _offsets = new long[windowSize + 2];
        _carries = new byte[windowSize + 2];
        _position = source.Position;
        Remember(1, _position, -1);
        if (mode == TftpTransferMode.NetAscii) _scratch = ArrayPool<byte>.Shared.Rent(blockSize);
    }

    /// <summary>
    /// Writes the payload of absolute block <paramref name="block"/> (1-based, not wrapped) into
    /// <paramref name="destination"/> and returns its length; shorter than the block size means last block.
    /// The block must be at most one past the newest block read, and no older than the window.
    /// </summary>
    public int Read(long block, Span<byte> destination)
    {
        if (block > _nextBlock || block < _nextBlock - _offsets.Length + 1)
            throw new InvalidOperationException($"block {block} is outside the window (next {_nextBlock})");
        if (block != _positionBlock)
        {
            var slot = (int)(block % _offsets.Length);
            _position = _offsets[slot];
            _carry = _carries[slot] == 0xFF ? -1 : _carries[slot];
            _source.Position = _position;
        }
        var payload = destination[.._blockSize];
        var length = _mode == TftpTransferMode.Octet ? ReadOctet(payload) : ReadNetAscii(payload);
        _positionBlock = block + 1;
        if (block + 1 > _nextBlock) _nextBlock = block + 1;
        Remember(block + 1, _position, _carry);
        return length;
    }

    private int ReadOctet(Span<byte> payload)
    {
        var filled = 0;
        while (filled < payload.Length)
        {
            var n = _source.Read(payload[filled..]);
            if (n == 0) break;
            filled += n;
        }
        _position += filled;
        return filled;
    }

    /// <summary>RFC 1350 section 1 and RFC 764: a line end becomes CR LF and a bare CR becomes CR NUL.</summary>
    private int ReadNetAscii(Span<byte> payload)
    {
        var filled = 0;
        if (_carry >= 0)
        {
            payload[filled++] = (byte)_carry;
            _carry = -1;
        }
        var scratch = _scratch!;
        while (filled < payload.Length)
        {
            // Every source byte yields at least one output byte, so this never reads more than can be used
            // except for the bytes after an expansion, which are given back by seeking.
            var want = payload.Length - filled;
            var got = _source.Read(scratch, 0, want);
            if (got == 0) break;
            var used = 0;
            while (used < got && filled < payload.Length)
            {
                var b = scratch[used++];
                if (b is (byte)'\n' or (byte)'\r')
                {
                    payload[filled++] = (byte)'\r';
                    var second = b == (byte)'\n' ? (byte)'\n' : (byte)0;
                    if (filled < payload.Length) payload[filled++] = second;
                    else _carry = second;
                }
                else
                {
                    payload[filled++] = b;
                }
            }
            _position += used;
            if (used < got) _source.Position = _position;
        }
        return filled;
    }

    private void Remember(long block, long offset, int carry)
    {
        var slot = (int)(block % _offsets.Length);
        _offsets[slot] = offset;
        _carries[slot] = carry < 0 ? (byte)0xFF : (byte)carry;
    }

    public void Dispose()
    {
        if (_scratch is not null) ArrayPool<byte>.Shared.Return(_scratch);
        _scratch = null;
    }
}
