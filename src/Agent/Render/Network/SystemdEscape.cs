using System.Text;

namespace NetbootPi.Agent.Render.Network;

/// <summary>
/// systemd's escaping of a string into one part of a unit name, as <c>systemd-escape</c> does it (systemd's
/// <c>unit_name_escape</c>): netctl names a profile's unit <c>netctl@ESCAPED.service</c> with exactly this
/// (<c>systemd-escape --template=netctl@.service PROFILE</c>), so our names for those units must agree byte for byte.
/// </summary>
public static class SystemdEscape
{
    /// <summary>
    /// <paramref name="text"/> escaped: <c>/</c> becomes <c>-</c>; ASCII letters, digits, <c>:</c>, <c>_</c> and
    /// <c>.</c> stay (but a leading <c>.</c> is escaped, so no unit name starts with one); every other byte of
    /// its UTF-8 form, <c>-</c> and <c>\</c> included, becomes <c>\xNN</c> in lowercase hex.
    /// </summary>
    public static string Escape(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var result = new StringBuilder(bytes.Length);
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (b == '/') result.Append('-');
            else if ((b == '.' && i > 0) || char.IsAsciiLetterOrDigit((char)b) || b is (byte)':' or (byte)'_') result.Append((char)b);
            else result.Append("\\x").Append(Convert.ToHexStringLower([b]));
        }
        return result.ToString();
    }

    /// <summary>
    /// The instance of a template unit: <paramref name="template"/> (<c>netctl@.service</c>) with the escaped
    /// <paramref name="instance"/> after its <c>@</c>, as <c>systemd-escape --template=TEMPLATE INSTANCE</c> gives it.
    /// </summary>
    public static string Instance(string template, string instance)
    {
        var at = template.IndexOf('@', StringComparison.Ordinal);
        var dot = template.LastIndexOf('.');
        if (at < 0 || dot != at + 1)
            throw new ArgumentException($"'{template}' is not a template unit name like netctl@.service", nameof(template));
        return string.Concat(template.AsSpan(0, at + 1), Escape(instance), template.AsSpan(dot));
    }
}
