using Tmds.DBus.Protocol;

namespace NetbootPi.Agent.Os.DBus;

/// <summary>
/// org.freedesktop.DBus.Properties as the proxies use it: Get and GetAll calls, and the PropertiesChanged signal,
/// read for the string-typed properties a proxy cares about (the states systemd and networkd report are strings).
/// </summary>
internal static class DBusProperties
{
    public const string Interface = "org.freedesktop.DBus.Properties";

    // Get(s interface, s property) -> (v value)
    public static MessageBuffer CreateGet(DBusObject target, string @interface, string property)
    {
        using var writer = target.Connection.GetMessageWriter();
        writer.WriteMethodCallHeader(destination: target.Destination, path: target.Path, @interface: Interface,
            member: "Get", signature: "ss");
        writer.WriteString(@interface);
        writer.WriteString(property);
        return writer.CreateMessage();
    }

    // GetAll(s interface) -> (a{sv} properties)
    public static MessageBuffer CreateGetAll(DBusObject target, string @interface)
    {
        using var writer = target.Connection.GetMessageWriter();
        writer.WriteMethodCallHeader(destination: target.Destination, path: target.Path, @interface: Interface,
            member: "GetAll", signature: "s");
        writer.WriteString(@interface);
        return writer.CreateMessage();
    }

    /// <summary>Reads a Get reply whose variant must hold a string; anything else is a <see cref="DBusUnexpectedValueException"/>.</summary>
    public static string ReadStringValue(Message message)
    {
        var reader = message.GetBodyReader();
        reader.ReadSignature("s"u8);
        return reader.ReadString();
    }

    /// <summary>
    /// Reads an a{sv} of properties (a GetAll reply, or the changed part of PropertiesChanged), keeping the string
    /// values of <paramref name="wanted"/> and skipping everything else.
    /// </summary>
    public static Dictionary<string, string> ReadStrings(ref Reader reader, IReadOnlySet<string> wanted)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        ArrayEnd end = reader.ReadDictionaryStart();
        while (reader.HasNext(end))
        {
            string name = reader.ReadString();
            VariantValue value = reader.ReadVariantValue();
            if (wanted.Contains(name) && value.Type == VariantValueType.String) values[name] = value.GetString();
        }
        return values;
    }

    // PropertiesChanged(s interface, a{sv} changed, as invalidated): systemd and networkd send the new values in
    // 'changed'; a property only named in 'invalidated' must be read again, which the caller learns from the name
    // being present with a null value.
    public static Dictionary<string, string?> ReadChanges(Message message, IReadOnlySet<string> wanted)
    {
        var reader = message.GetBodyReader();
        reader.ReadString();
        var changes = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in ReadStrings(ref reader, wanted)) changes[name] = value;
        foreach (var name in reader.ReadArrayOfString())
            if (wanted.Contains(name)) changes.TryAdd(name, null);
        return changes;
    }
}
