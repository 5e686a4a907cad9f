namespace NetbootPi.Protocols.DBus;

/// <summary>Validation and walking of D-Bus type signatures (specification, "Valid Signatures").</summary>
public static class DBusSignature
{
    /// <summary>Checks a whole signature: a sequence of zero or more complete types.</summary>
    public static SignatureError Validate(ReadOnlySpan<byte> signature)
    {
        if (signature.Length > DBusLimits.MaxSignatureLength) return SignatureError.TooLong;
        int pos = 0;
        while (pos < signature.Length)
        {
            var error = ValidateCompleteType(signature, ref pos, 0, 0);
            if (error != SignatureError.None) return error;
        }
        return SignatureError.None;
    }

    /// <summary>Checks that the signature is exactly one complete type, as a variant's must be.</summary>
    public static SignatureError ValidateSingleCompleteType(ReadOnlySpan<byte> signature)
    {
        if (signature.Length > DBusLimits.MaxSignatureLength) return SignatureError.TooLong;
        if (signature.IsEmpty) return SignatureError.NotSingleCompleteType;
        int pos = 0;
        var error = ValidateCompleteType(signature, ref pos, 0, 0);
        if (error != SignatureError.None) return error;
        return pos == signature.Length ? SignatureError.None : SignatureError.NotSingleCompleteType;
    }

    /// <inheritdoc cref="Validate(ReadOnlySpan{byte})"/>
    public static SignatureError Validate(string signature)
    {
        if (signature.Length > DBusLimits.MaxSignatureLength) return SignatureError.TooLong;
        Span<byte> ascii = stackalloc byte[signature.Length];
        for (int i = 0; i < signature.Length; i++)
        {
            if (signature[i] > 0x7f) return SignatureError.UnknownTypeCode;
            ascii[i] = (byte)signature[i];
        }
        return Validate(ascii);
    }

    /// <summary>
    /// The length of the complete type starting at <paramref name="start"/> of an already validated signature.
    /// </summary>
    internal static int CompleteTypeLength(ReadOnlySpan<byte> signature, int start)
    {
        int pos = start;
        int open = 0;
        do
        {
            byte c = signature[pos++];
            if (c == DBusType.StructBegin || c == DBusType.DictEntryBegin) open++;
            else if (c == DBusType.StructEnd || c == DBusType.DictEntryEnd) open--;
            else if (c == DBusType.Array) continue;
        } while (open > 0 || signature[pos - 1] == DBusType.Array);
        return pos - start;
    }

    private static SignatureError ValidateCompleteType(ReadOnlySpan<byte> sig, ref int pos, int arrayDepth, int structDepth)
    {
        byte c = sig[pos++];
        switch (c)
        {
            case DBusType.Array:
                if (arrayDepth + 1 > DBusLimits.MaxArrayDepth) return SignatureError.ArrayTooDeep;
                if (pos >= sig.Length) return SignatureError.ArrayWithoutElement;
                if (sig[pos] == DBusType.DictEntryBegin) return ValidateDictEntry(sig, ref pos, arrayDepth + 1, structDepth);
                if (sig[pos] == DBusType.StructEnd || sig[pos] == DBusType.DictEntryEnd) return SignatureError.ArrayWithoutElement;
                return ValidateCompleteType(sig, ref pos, arrayDepth + 1, structDepth);
            case DBusType.StructBegin:
                if (structDepth + 1 > DBusLimits.MaxStructDepth) return SignatureError.StructTooDeep;
                if (pos >= sig.Length) return SignatureError.UnbalancedContainer;
                if (sig[pos] == DBusType.StructEnd) return SignatureError.EmptyStruct;
                while (true)
                {
                    if (pos >= sig.Length) return SignatureError.UnbalancedContainer;
                    if (sig[pos] == DBusType.StructEnd) { pos++; return SignatureError.None; }
                    if (sig[pos] == DBusType.DictEntryEnd) return SignatureError.UnbalancedContainer;
                    var error = ValidateCompleteType(sig, ref pos, arrayDepth, structDepth + 1);
                    if (error != SignatureError.None) return error;
                }
            case DBusType.StructEnd:
            case DBusType.DictEntryEnd:
                return SignatureError.UnbalancedContainer;
            case DBusType.DictEntryBegin:
                return SignatureError.BadDictEntry; // only legal directly after 'a', handled there
            case DBusType.Variant:
                return SignatureError.None;
            default:
                return DBusType.IsBasic(c) ? SignatureError.None : SignatureError.UnknownTypeCode;
        }
    }

    // "a{KV}": K a basic type, V any single complete type; a dict entry counts as a struct for the depth limit.
    private static SignatureError ValidateDictEntry(ReadOnlySpan<byte> sig, ref int pos, int arrayDepth, int structDepth)
    {
        if (structDepth + 1 > DBusLimits.MaxStructDepth) return SignatureError.StructTooDeep;
        pos++; // '{'
        if (pos >= sig.Length) return SignatureError.UnbalancedContainer;
        if (!DBusType.IsBasic(sig[pos]))
            return sig[pos] == DBusType.DictEntryEnd || DBusType.AlignmentOf(sig[pos]) != 0
                ? SignatureError.BadDictEntry : SignatureError.UnknownTypeCode;
        pos++;
        if (pos >= sig.Length) return SignatureError.UnbalancedContainer;
        if (sig[pos] == DBusType.DictEntryEnd) return SignatureError.BadDictEntry;
        var error = ValidateCompleteType(sig, ref pos, arrayDepth, structDepth + 1);
        if (error != SignatureError.None) return error;
        if (pos >= sig.Length) return SignatureError.UnbalancedContainer;
        if (sig[pos] != DBusType.DictEntryEnd) return SignatureError.BadDictEntry;
        pos++;
        return SignatureError.None;
    }
}
