using System.Buffers.Binary;
using System.Text;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dhcp;

/// <summary>
/// The options of one DHCP message, each code at most once with its full (RFC 3396-concatenated) value,
/// kept in insertion order — the order a writer emits them. Values live in one growable buffer that is
/// reused after <see cref="Clear"/>, so a set kept per socket allocates only while it grows.
/// </summary>
public sealed class DhcpOptionSet
{
    private byte[] _data;
    private int _used;
    private readonly int[] _start = new int[256];
    private readonly int[] _length = new int[256];
    private readonly bool[] _required = new bool[256];
    private readonly byte[] _order = new byte[256];
    private int _count;

    public DhcpOptionSet(int initialCapacity = 512)
    {
        _data = new byte[Math.Max(16, initialCapacity)];
        _length.AsSpan().Fill(-1);
    }

    /// <summary>How many distinct codes are present.</summary>
    public int Count => _count;

    /// <summary>The code at position <paramref name="index"/> in insertion order.</summary>
    public DhcpOptionCode CodeAt(int index) =>
        (uint)index < (uint)_count ? (DhcpOptionCode)_order[index] : throw new ArgumentOutOfRangeException(nameof(index));

    public bool Contains(DhcpOptionCode code) => _length[(byte)code] >= 0;

    /// <summary>True for options a writer must never drop to fit a small maximum message size.</summary>
    public bool IsRequired(DhcpOptionCode code) => Contains(code) && _required[(byte)code];

    public bool TryGet(DhcpOptionCode code, out ReadOnlySpan<byte> value)
    {
        var len = _length[(byte)code];
        if (len < 0)
        {
            value = default;
            return false;
        }
        value = _data.AsSpan(_start[(byte)code], len);
        return true;
    }

    /// <summary>The value, or an empty span when absent (use <see cref="TryGet"/> where empty values matter).</summary>
    public ReadOnlySpan<byte> Get(DhcpOptionCode code) => TryGet(code, out var v) ? v : default;

    public bool TryGetByte(DhcpOptionCode code, out byte value)
    {
        value = 0;
        if (!TryGet(code, out var v) || v.Length != 1) return false;
        value = v[0];
        return true;
    }

    public bool TryGetUInt16(DhcpOptionCode code, out ushort value)
    {
        value = 0;
        if (!TryGet(code, out var v) || v.Length != 2) return false;
        value = BinaryPrimitives.ReadUInt16BigEndian(v);
        return true;
    }

    public bool TryGetUInt32(DhcpOptionCode code, out uint value)
    {
        value = 0;
        if (!TryGet(code, out var v) || v.Length != 4) return false;
        value = BinaryPrimitives.ReadUInt32BigEndian(v);
        return true;
    }

    public bool TryGetAddress(DhcpOptionCode code, out Ipv4Address value)
    {
        value = Ipv4Address.Any;
        if (!TryGet(code, out var v) || v.Length != 4) return false;
        value = Ipv4Address.Read(v);
        return true;
    }

    /// <summary>An ASCII/UTF-8 option as text, trailing NULs removed (some clients NUL-terminate strings).</summary>
    public string? GetString(DhcpOptionCode code) =>
        TryGet(code, out var v) ? Encoding.UTF8.GetString(v.TrimEnd((byte)0)) : null;

    /// <summary>Sets (or replaces) a value; PAD and END are framing, not options.</summary>
    public void Set(DhcpOptionCode code, ReadOnlySpan<byte> value, bool required = false)
    {
        if (code is DhcpOptionCode.Pad or DhcpOptionCode.End)
            throw new ArgumentException($"option {(byte)code} is framing, not a value", nameof(code));
        var dest = Reserve(code, value.Length, required);
        value.CopyTo(dest);
    }

    /// <summary>Reserves <paramref name="length"/> bytes for the value of <paramref name="code"/> and returns them to fill.</summary>
    public Span<byte> Reserve(DhcpOptionCode code, int length, bool required = false)
    {
        var c = (byte)code;
        if (_length[c] < 0) _order[_count++] = c;
        EnsureCapacity(_used + length);
        _start[c] = _used;
        _length[c] = length;
        _required[c] = required;
        _used += length;
        return _data.AsSpan(_start[c], length);
    }

    public void SetByte(DhcpOptionCode code, byte value, bool required = false) => Reserve(code, 1, required)[0] = value;

    public void SetUInt16(DhcpOptionCode code, ushort value, bool required = false) =>
        BinaryPrimitives.WriteUInt16BigEndian(Reserve(code, 2, required), value);

    public void SetUInt32(DhcpOptionCode code, uint value, bool required = false) =>
        BinaryPrimitives.WriteUInt32BigEndian(Reserve(code, 4, required), value);

    public void SetAddress(DhcpOptionCode code, Ipv4Address value, bool required = false) =>
        value.WriteTo(Reserve(code, 4, required));

    public void SetAddresses(DhcpOptionCode code, ReadOnlySpan<Ipv4Address> values, bool required = false)
    {
        var dest = Reserve(code, 4 * values.Length, required);
        for (var i = 0; i < values.Length; i++) values[i].WriteTo(dest[(4 * i)..]);
    }

    public void SetString(DhcpOptionCode code, string value, bool required = false)
    {
        var dest = Reserve(code, Encoding.UTF8.GetByteCount(value), required);
        Encoding.UTF8.GetBytes(value, dest);
    }

    /// <summary>Copies one option from another set, keeping its value exactly.</summary>
    public bool CopyFrom(DhcpOptionSet source, DhcpOptionCode code, bool required = false)
    {
        if (!source.TryGet(code, out var v)) return false;
        Set(code, v, required);
        return true;
    }

    public void Remove(DhcpOptionCode code)
    {
        var c = (byte)code;
        if (_length[c] < 0) return;
        _length[c] = -1;
        var i = Array.IndexOf(_order, c, 0, _count);
        Array.Copy(_order, i + 1, _order, i, _count - i - 1);
        _count--;
    }

    public void Clear()
    {
        for (var i = 0; i < _count; i++) _length[_order[i]] = -1;
        _count = 0;
        _used = 0;
    }

    // Used by the parser, which fills values in place after sizing them in a first pass.
    internal Span<byte> ResetForParse(int totalLength)
    {
        Clear();
        EnsureCapacity(totalLength);
        _used = totalLength;
        return _data.AsSpan(0, totalLength);
    }

    internal void DefineParsed(byte code, int start, int length)
    {
        _order[_count++] = code;
        _start[code] = start;
        _length[code] = length;
        _required[code] = false;
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= _data.Length) return;
        Array.Resize(ref _data, Math.Max(needed, _data.Length * 2));
    }
}
