namespace NetbootPi.Protocols.DBus;

/// <summary>Why a signature is not valid (specification, "Valid Signatures").</summary>
public enum SignatureError
{
    /// <summary>The signature is valid.</summary>
    None = 0,
    /// <summary>Longer than 255 bytes.</summary>
    TooLong,
    /// <summary>A byte that is no type code (including the reserved 'm', '*', '?', '@', '&amp;', '^', 'r', 'e').</summary>
    UnknownTypeCode,
    /// <summary>An 'a' with no element type after it.</summary>
    ArrayWithoutElement,
    /// <summary>A '(' without its ')' or the reverse, or a '{' without its '}'.</summary>
    UnbalancedContainer,
    /// <summary>"()": a struct must have at least one field.</summary>
    EmptyStruct,
    /// <summary>A dict entry outside an array, or not exactly a basic key and one value.</summary>
    BadDictEntry,
    /// <summary>More than 32 nested arrays.</summary>
    ArrayTooDeep,
    /// <summary>More than 32 nested structs or dict entries.</summary>
    StructTooDeep,
    /// <summary>Where exactly one complete type is required (a variant's signature), there is none or more than one.</summary>
    NotSingleCompleteType,
}
