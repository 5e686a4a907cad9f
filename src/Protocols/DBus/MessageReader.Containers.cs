namespace NetbootPi.Protocols.DBus;

public ref partial struct MessageReader
{
    /// <summary>
    /// Reads an array's length and the padding before its first element; returns the offset where the array ends.
    /// Read elements while <see cref="HasNext"/> is true.
    /// </summary>
    /// <param name="elementType">The first type code of the element signature (for its alignment).</param>
    public int ReadArrayStart(byte elementType)
    {
        if (!TryReadArrayStart(DBusType.AlignmentOf(elementType), out int end, out _)) throw Mismatch("array");
        return end;
    }

    /// <summary>True while the array that ends at <paramref name="arrayEnd"/> has elements left.</summary>
    public readonly bool HasNext(int arrayEnd) => _pos < arrayEnd;

    /// <summary>Moves to the 8-byte boundary where a struct or dict entry starts.</summary>
    public void AlignStruct()
    {
        if (!TryAlign(8, out _)) throw Mismatch("struct");
    }

    /// <summary>Reads a variant's signature; the value, of that single complete type, follows.</summary>
    public ReadOnlySpan<byte> ReadVariantSignature()
    {
        if (!TryReadSignature(out var signature, out _) || DBusSignature.ValidateSingleCompleteType(signature) != SignatureError.None)
            throw Mismatch("variant");
        return signature;
    }

    /// <summary>Skips one value of the single complete type <paramref name="signature"/>.</summary>
    public void SkipValue(ReadOnlySpan<byte> signature)
    {
        int sigPos = 0;
        if (DBusSignature.ValidateSingleCompleteType(signature) != SignatureError.None
            || !TrySkipCompleteType(signature, ref sigPos, 0, out _))
            throw Mismatch($"value of type '{System.Text.Encoding.ASCII.GetString(signature)}'");
    }

    internal bool TryReadArrayStart(int elementAlignment, out int end, out MessageError error)
    {
        end = 0;
        if (!TryAlign(4, out error)) return false;
        if (!TryReadUInt32(out uint length)) { error = MessageError.Truncated; return false; }
        if (length > DBusLimits.MaxArrayLength) { error = MessageError.ArrayTooLong; return false; }
        // The padding to the first element is not counted in the length, even for an empty array.
        if (!TryAlign(elementAlignment, out error)) return false;
        if (length > (uint)(_data.Length - _pos)) { error = MessageError.Truncated; return false; }
        end = _pos + (int)length;
        return true;
    }

    /// <summary>
    /// Checks that the rest of the data is exactly a sequence of values of the (already validated) signature.
    /// </summary>
    internal MessageError Validate(ReadOnlySpan<byte> signature)
    {
        int sigPos = 0;
        while (sigPos < signature.Length)
        {
            if (!TrySkipCompleteType(signature, ref sigPos, 0, out var error)) return error;
        }
        return _pos == _data.Length ? MessageError.None : MessageError.TrailingBytes;
    }

    /// <summary>Checks and skips one value of a validated single complete type.</summary>
    internal MessageError ValidateOne(ReadOnlySpan<byte> signature)
    {
        int sigPos = 0;
        return TrySkipCompleteType(signature, ref sigPos, 1, out var error) ? MessageError.None : error;
    }

    // Walks one complete type of a valid signature, checking every value; depth counts containers of all kinds.
    private bool TrySkipCompleteType(ReadOnlySpan<byte> sig, ref int sigPos, int depth, out MessageError error)
    {
        byte code = sig[sigPos++];
        error = MessageError.None;
        switch (code)
        {
            case DBusType.Byte:
                if (TryReadByte(out _)) return true;
                break;
            case DBusType.Boolean:
                return TryReadBoolean(out _, out error);
            case DBusType.Int16 or DBusType.UInt16:
                if (!TryAlign(2, out error)) return false;
                if (TryReadUInt16(out _)) return true;
                break;
            case DBusType.Int32 or DBusType.UInt32 or DBusType.UnixFd:
                if (!TryAlign(4, out error)) return false;
                if (TryReadUInt32(out _)) return true;
                break;
            case DBusType.Int64 or DBusType.UInt64 or DBusType.Double:
                if (!TryAlign(8, out error)) return false;
                if (TryReadUInt64(out _)) return true;
                break;
            case DBusType.String:
                return TryReadString(out _, out error);
            case DBusType.ObjectPath:
                return TryReadObjectPath(out _, out error);
            case DBusType.Signature:
                return TryReadSignature(out _, out error);
            case DBusType.Variant:
            {
                if (depth + 1 > DBusLimits.MaxTotalDepth) { error = MessageError.NestingTooDeep; return false; }
                if (!TryReadSignature(out var inner, out error)) return false;
                if (DBusSignature.ValidateSingleCompleteType(inner) != SignatureError.None) { error = MessageError.BadSignature; return false; }
                int innerPos = 0;
                return TrySkipCompleteType(inner, ref innerPos, depth + 1, out error);
            }
            case DBusType.Array:
            {
                if (depth + 1 > DBusLimits.MaxTotalDepth) { error = MessageError.NestingTooDeep; return false; }
                int elementStart = sigPos;
                int elementLength = DBusSignature.CompleteTypeLength(sig, elementStart);
                sigPos += elementLength;
                if (!TryReadArrayStart(DBusType.AlignmentOf(sig[elementStart]), out int end, out error)) return false;
                int fixedSize = DBusType.FixedSizeOf(sig[elementStart]);
                if (fixedSize != 0 && sig[elementStart] != DBusType.Boolean)
                {
                    // Fixed-size elements need no walk, only a whole number of them.
                    if ((end - _pos) % fixedSize != 0) { error = MessageError.Truncated; return false; }
                    _pos = end;
                    return true;
                }
                var element = sig.Slice(elementStart, elementLength);
                var bounded = new MessageReader(_data[..end], _bigEndian) { _pos = _pos };
                while (bounded._pos < end)
                {
                    int p = 0;
                    if (!bounded.TrySkipCompleteType(element, ref p, depth + 1, out error))
                        return false;
                }
                _pos = end;
                return true;
            }
            case DBusType.StructBegin:
            case DBusType.DictEntryBegin:
            {
                if (depth + 1 > DBusLimits.MaxTotalDepth) { error = MessageError.NestingTooDeep; return false; }
                if (!TryAlign(8, out error)) return false;
                while (sig[sigPos] != DBusType.StructEnd && sig[sigPos] != DBusType.DictEntryEnd)
                {
                    if (!TrySkipCompleteType(sig, ref sigPos, depth + 1, out error)) return false;
                }
                sigPos++;
                return true;
            }
        }
        error = MessageError.Truncated;
        return false;
    }
}
