using System.Globalization;

namespace NetbootPi.Agent.Os.Systemd;

/// <summary>
/// One property of a transient unit, as <c>StartTransientUnit</c> takes it: its name (the unit file's key, as
/// org.freedesktop.systemd1(5) lists it), its D-Bus signature and value, and <see cref="Text"/>, how a unit file would
/// write it (for golden files, logs and <c>systemctl show</c>-style messages).
/// </summary>
/// <remarks>
/// Only the shapes the agent's transient units use: a string, a boolean, unsigned integers, a list of strings, an
/// ExecStart-style command <c>a(sasb)</c>, DeviceAllow's <c>a(ss)</c>, and the allow-or-deny list <c>(bas)</c> of
/// RestrictAddressFamilies and SystemCallFilter.
/// </remarks>
public sealed class UnitProperty
{
    private UnitProperty(string name, string signature, object value, string text)
    {
        Name = name;
        Signature = signature;
        Value = value;
        Text = text;
    }

    public string Name { get; }

    /// <summary>The D-Bus signature of the value inside the property's variant.</summary>
    public string Signature { get; }

    /// <summary>A string, bool, uint, ulong, string[], <see cref="ExecCommand"/>, (string, string)[] or (bool, string[]).</summary>
    public object Value { get; }

    /// <summary>The value as a unit file writes it.</summary>
    public string Text { get; }

    public static UnitProperty String(string name, string value) => new(name, "s", value, value);

    public static UnitProperty Bool(string name, bool value) => new(name, "b", value, value ? "yes" : "no");

    public static UnitProperty UInt32(string name, uint value, string? text = null) =>
        new(name, "u", value, text ?? value.ToString(CultureInfo.InvariantCulture));

    public static UnitProperty UInt64(string name, ulong value, string? text = null) =>
        new(name, "t", value, text ?? value.ToString(CultureInfo.InvariantCulture));

    public static UnitProperty Strings(string name, params string[] values) => new(name, "as", values, string.Join(' ', values));

    /// <summary>
    /// ExecStart= and the like: one command, its argv[0] included; ignore_failure false. An argv[0] other than the
    /// path (a login shell's "-bash") is written as a unit file does: "@PATH ARGV0 ...".
    /// </summary>
    public static UnitProperty Exec(string name, string path, IReadOnlyList<string> argv) =>
        new(name, "a(sasb)", new ExecCommand(path, [.. argv]),
            (argv.Count > 0 && argv[0] != path ? "@" + Quote(path) + " " : "") + string.Join(' ', argv.Select(Quote)));

    /// <summary>DeviceAllow=: device nodes and their access ("r", "rw", "rwm").</summary>
    public static UnitProperty DeviceAllow(params (string Path, string Access)[] devices) =>
        new("DeviceAllow", "a(ss)", devices, string.Join(' ', devices.Select(d => $"{d.Path} {d.Access}")));

    /// <summary>An allow list (<paramref name="allow"/> true) or a deny list, as RestrictAddressFamilies= and SystemCallFilter= take it.</summary>
    public static UnitProperty AllowList(string name, bool allow, params string[] items) =>
        new(name, "(bas)", (allow, items), (allow ? "" : "~") + string.Join(' ', items));

    /// <summary>As a unit file line.</summary>
    public override string ToString() => $"{Name}={Text}";

    // systemd splits a command line at white space and takes "..." quoting (systemd.syntax(7)).
    private static string Quote(string arg) =>
        arg.Length > 0 && !arg.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or '$' or '%' or ';') ? arg
            : "\"" + arg.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>One command of an Exec*= property: the program's path and its argv (argv[0] first).</summary>
    public sealed record ExecCommand(string Path, string[] Argv);
}
