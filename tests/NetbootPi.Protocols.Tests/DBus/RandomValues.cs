using System.Globalization;
using System.Text;
using NetbootPi.Protocols.DBus;

namespace NetbootPi.Protocols.Tests.DBus;

/// <summary>
/// Random signatures and values of them, and a generic codec that writes and reads any value through the public
/// <see cref="MessageWriter"/> and <see cref="MessageReader"/> API. Values are kept as canonical text so two trees
/// compare with string equality.
/// </summary>
internal sealed class RandomValues(int seed)
{
    private const string BasicCodes = "ybnqiuxtdsogh";
    private readonly Random _random = new(seed);

    public string Signature(int maxTypes)
    {
        var text = new StringBuilder();
        int count = _random.Next(1, maxTypes + 1);
        for (int i = 0; i < count; i++) text.Append(CompleteType(0));
        return text.ToString();
    }

    private string CompleteType(int depth)
    {
        int choice = _random.Next(depth >= 4 ? 6 : 10);
        return choice switch
        {
            < 5 => BasicCodes[_random.Next(BasicCodes.Length)].ToString(),
            5 => "v",
            6 or 7 => "a" + CompleteType(depth + 1),
            8 => "(" + string.Concat(Enumerable.Range(0, _random.Next(1, 4)).Select(_ => CompleteType(depth + 1))) + ")",
            _ => "a{" + BasicCodes[_random.Next(BasicCodes.Length)] + CompleteType(depth + 1) + "}",
        };
    }

    /// <summary>Writes a random value of the complete type at <paramref name="pos"/>; returns its canonical text.</summary>
    public string Write(ref MessageWriter writer, string sig, ref int pos, int depth = 0)
    {
        char code = sig[pos++];
        switch (code)
        {
            case 'y': { byte v = (byte)_random.Next(256); writer.WriteByte(v); return $"y{v}"; }
            case 'b': { bool v = _random.Next(2) == 1; writer.WriteBoolean(v); return $"b{v}"; }
            case 'n': { short v = (short)_random.Next(short.MinValue, short.MaxValue + 1); writer.WriteInt16(v); return $"n{v}"; }
            case 'q': { ushort v = (ushort)_random.Next(ushort.MaxValue + 1); writer.WriteUInt16(v); return $"q{v}"; }
            case 'i': { int v = _random.Next(int.MinValue, int.MaxValue); writer.WriteInt32(v); return $"i{v}"; }
            case 'u': { uint v = (uint)_random.NextInt64(uint.MaxValue + 1L); writer.WriteUInt32(v); return $"u{v}"; }
            case 'h': { uint v = (uint)_random.Next(16); writer.WriteUnixFdIndex(v); return $"h{v}"; }
            case 'x': { long v = _random.NextInt64(long.MinValue, long.MaxValue); writer.WriteInt64(v); return $"x{v}"; }
            case 't': { ulong v = (ulong)_random.NextInt64(); writer.WriteUInt64(v); return $"t{v}"; }
            case 'd': { double v = (_random.NextDouble() - 0.5) * 1e6; writer.WriteDouble(v); return "d" + v.ToString("R", CultureInfo.InvariantCulture); }
            case 's': { string v = RandomString(); writer.WriteString(v); return $"s'{v}'"; }
            case 'o': { string v = RandomPath(); writer.WriteObjectPath(v); return $"o{v}"; }
            case 'g': { string v = Signature(3); writer.WriteSignature(v); return $"g{v}"; }
            case 'v':
            {
                string inner = depth < 6 ? CompleteTypeOf(Signature(1)) : "i";
                writer.WriteVariantSignature(inner);
                int p = 0;
                return $"v<{inner}:{Write(ref writer, inner, ref p, depth + 1)}>";
            }
            case 'a':
            {
                int elementStart = pos;
                int elementLength = CompleteTypeLength(sig, pos);
                pos += elementLength;
                string element = sig.Substring(elementStart, elementLength);
                var array = writer.WriteArrayStart((byte)element[0]);
                int count = _random.Next(depth > 3 ? 2 : 4);
                var items = new List<string>();
                for (int i = 0; i < count; i++)
                {
                    int p = 0;
                    items.Add(element[0] == '{' ? WriteDictEntry(ref writer, element, depth) : Write(ref writer, element, ref p, depth + 1));
                }
                writer.WriteArrayEnd(array);
                return $"a[{string.Join(",", items)}]";
            }
            case '(':
            {
                writer.WriteStructStart();
                var fields = new List<string>();
                while (sig[pos] != ')') fields.Add(Write(ref writer, sig, ref pos, depth + 1));
                pos++;
                return $"({string.Join(",", fields)})";
            }
            default: throw new InvalidOperationException($"unexpected type code '{code}'");
        }
    }

    private string WriteDictEntry(ref MessageWriter writer, string entry, int depth)
    {
        writer.WriteDictEntryStart();
        int p = 1;
        string key = Write(ref writer, entry, ref p, depth + 1);
        string value = Write(ref writer, entry, ref p, depth + 1);
        return $"{{{key}={value}}}";
    }

    /// <summary>Reads one value of the complete type at <paramref name="pos"/> into the same canonical text.</summary>
    public static string Read(ref MessageReader reader, string sig, ref int pos)
    {
        char code = sig[pos++];
        switch (code)
        {
            case 'y': return $"y{reader.ReadByte()}";
            case 'b': return $"b{reader.ReadBoolean()}";
            case 'n': return $"n{reader.ReadInt16()}";
            case 'q': return $"q{reader.ReadUInt16()}";
            case 'i': return $"i{reader.ReadInt32()}";
            case 'u': return $"u{reader.ReadUInt32()}";
            case 'h': return $"h{reader.ReadUnixFdIndex()}";
            case 'x': return $"x{reader.ReadInt64()}";
            case 't': return $"t{reader.ReadUInt64()}";
            case 'd': return "d" + reader.ReadDouble().ToString("R", CultureInfo.InvariantCulture);
            case 's': return $"s'{reader.ReadString()}'";
            case 'o': return $"o{reader.ReadObjectPath()}";
            case 'g': return $"g{reader.ReadSignature()}";
            case 'v':
            {
                string inner = Encoding.ASCII.GetString(reader.ReadVariantSignature());
                int p = 0;
                return $"v<{inner}:{Read(ref reader, inner, ref p)}>";
            }
            case 'a':
            {
                int elementStart = pos;
                int elementLength = CompleteTypeLength(sig, pos);
                pos += elementLength;
                string element = sig.Substring(elementStart, elementLength);
                int end = reader.ReadArrayStart((byte)element[0]);
                var items = new List<string>();
                while (reader.HasNext(end))
                {
                    int p = 0;
                    if (element[0] == '{')
                    {
                        reader.AlignStruct();
                        p = 1;
                        string key = Read(ref reader, element, ref p);
                        string value = Read(ref reader, element, ref p);
                        items.Add($"{{{key}={value}}}");
                    }
                    else items.Add(Read(ref reader, element, ref p));
                }
                return $"a[{string.Join(",", items)}]";
            }
            case '(':
            {
                reader.AlignStruct();
                var fields = new List<string>();
                while (sig[pos] != ')') fields.Add(Read(ref reader, sig, ref pos));
                pos++;
                return $"({string.Join(",", fields)})";
            }
            default: throw new InvalidOperationException($"unexpected type code '{code}'");
        }
    }

    private static string CompleteTypeOf(string signature) => signature[..CompleteTypeLength(signature, 0)];

    private static int CompleteTypeLength(string sig, int start)
    {
        int pos = start, open = 0;
        while (true)
        {
            char c = sig[pos++];
            if (c is '(' or '{') open++;
            else if (c is ')' or '}') open--;
            if (c != 'a' && open == 0) return pos - start;
        }
    }

    private string RandomString()
    {
        string[] pieces = ["", "a", "systemd", "ünïcødé", "日本", "x y", "🙂", "'q'"];
        return string.Concat(Enumerable.Range(0, _random.Next(3)).Select(_ => pieces[_random.Next(pieces.Length)]));
    }

    private string RandomPath()
    {
        int elements = _random.Next(3);
        if (elements == 0) return "/";
        return string.Concat(Enumerable.Range(0, elements).Select(_ => "/" + "abc_0"[.._random.Next(1, 6)]));
    }
}
