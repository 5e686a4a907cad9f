namespace NetbootPi.Protocols.DBus;

/// <summary>The ASCII type codes of D-Bus signatures (specification, "Summary of types").</summary>
public static class DBusType
{
    public const byte Byte = (byte)'y';
    public const byte Boolean = (byte)'b';
    public const byte Int16 = (byte)'n';
    public const byte UInt16 = (byte)'q';
    public const byte Int32 = (byte)'i';
    public const byte UInt32 = (byte)'u';
    public const byte Int64 = (byte)'x';
    public const byte UInt64 = (byte)'t';
    public const byte Double = (byte)'d';
    public const byte String = (byte)'s';
    public const byte ObjectPath = (byte)'o';
    public const byte Signature = (byte)'g';
    public const byte UnixFd = (byte)'h';
    public const byte Array = (byte)'a';
    public const byte Variant = (byte)'v';
    public const byte StructBegin = (byte)'(';
    public const byte StructEnd = (byte)')';
    public const byte DictEntryBegin = (byte)'{';
    public const byte DictEntryEnd = (byte)'}';

    /// <summary>True for the fixed and string-like types that may be dict entry keys.</summary>
    public static bool IsBasic(byte code) => code switch
    {
        Byte or Boolean or Int16 or UInt16 or Int32 or UInt32 or Int64 or UInt64 or Double
            or String or ObjectPath or Signature or UnixFd => true,
        _ => false,
    };

    /// <summary>
    /// The alignment of a value starting with this type code ("Marshaling (Wire Format)" table);
    /// 0 for a code that does not start a type.
    /// </summary>
    public static int AlignmentOf(byte code) => code switch
    {
        Byte or Signature or Variant => 1,
        Int16 or UInt16 => 2,
        Boolean or Int32 or UInt32 or String or ObjectPath or UnixFd or Array => 4,
        Int64 or UInt64 or Double or StructBegin or DictEntryBegin => 8,
        _ => 0,
    };

    /// <summary>The size of a fixed-size basic type; 0 for everything else.</summary>
    internal static int FixedSizeOf(byte code) => code switch
    {
        Byte => 1,
        Int16 or UInt16 => 2,
        Boolean or Int32 or UInt32 or UnixFd => 4,
        Int64 or UInt64 or Double => 8,
        _ => 0,
    };
}
