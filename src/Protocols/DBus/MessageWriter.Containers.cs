using System.Buffers.Binary;

namespace NetbootPi.Protocols.DBus;

/// <summary>Where an array being written keeps its length, and where its elements start.</summary>
public readonly struct ArrayStart
{
    internal ArrayStart(int lengthOffset, int elementsOffset)
    {
        LengthOffset = lengthOffset;
        ElementsOffset = elementsOffset;
    }

    internal int LengthOffset { get; }
    internal int ElementsOffset { get; }
}

public ref partial struct MessageWriter
{
    /// <summary>
    /// Starts an array: reserves its length, to be filled by <see cref="WriteArrayEnd"/>, and pads to the alignment
    /// of <paramref name="elementType"/> (the first code of the element signature).
    /// </summary>
    public ArrayStart WriteArrayStart(byte elementType)
    {
        int alignment = DBusType.AlignmentOf(elementType);
        if (alignment == 0) throw new ArgumentException($"'{(char)elementType}' does not start a type", nameof(elementType));
        Align(4);
        int lengthOffset = _pos;
        Reserve(4);
        // The padding before the first element is written even for an empty array and not counted in its length.
        Align(alignment);
        return new ArrayStart(lengthOffset, _pos);
    }

    /// <summary>Back-fills the array's length.</summary>
    public void WriteArrayEnd(ArrayStart start)
    {
        int length = _pos - start.ElementsOffset;
        if (length > DBusLimits.MaxArrayLength)
            throw new InvalidOperationException($"a D-Bus array cannot exceed {DBusLimits.MaxArrayLength} bytes");
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(start.LengthOffset, 4), (uint)length);
    }

    /// <summary>Pads to the 8-byte boundary a struct starts at; then write its fields.</summary>
    public void WriteStructStart() => Align(8);

    /// <summary>Pads to the 8-byte boundary a dict entry starts at; then write its key and value.</summary>
    public void WriteDictEntryStart() => Align(8);

    /// <summary>Writes a variant's signature (one complete type); write the value right after.</summary>
    public void WriteVariantSignature(string signature)
    {
        var error = DBusSignature.Validate(signature);
        if (error == SignatureError.None && signature.Length > 0)
        {
            Span<byte> ascii = stackalloc byte[signature.Length];
            for (int i = 0; i < signature.Length; i++) ascii[i] = (byte)signature[i];
            error = DBusSignature.ValidateSingleCompleteType(ascii);
        }
        else if (error == SignatureError.None) error = SignatureError.NotSingleCompleteType;
        if (error != SignatureError.None)
            throw new ArgumentException($"'{signature}' is not a single complete type: {error}", nameof(signature));
        WriteSignature(signature);
    }

    /// <summary>Writes a variant holding a string.</summary>
    public void WriteVariantString(string value)
    {
        WriteSignature("s");
        WriteString(value);
    }

    /// <summary>Writes a variant holding a uint32.</summary>
    public void WriteVariantUInt32(uint value)
    {
        WriteSignature("u");
        WriteUInt32(value);
    }
}
