using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NetbootPi.Protocols.DBus;

/// <summary>
/// A D-Bus server address of the <c>unix</c> transport (specification, "Server Addresses"):
/// <c>unix:path=/run/dbus/system_bus_socket</c> or <c>unix:abstract=name</c>; a list separated by ';' yields its
/// first unix entry.
/// </summary>
public sealed class DBusAddress
{
    /// <summary>The well-known system bus socket ("Well-known Message Bus Instances").</summary>
    public const string DefaultSystemBus = "unix:path=/run/dbus/system_bus_socket";

    private DBusAddress(string text, string socketPath, bool isAbstract)
    {
        Text = text;
        SocketPath = socketPath;
        IsAbstract = isAbstract;
    }

    /// <summary>The address as given.</summary>
    public string Text { get; }

    /// <summary>The socket path, or the abstract name (without its leading nul).</summary>
    public string SocketPath { get; }

    /// <summary>True for a Linux abstract-namespace socket.</summary>
    public bool IsAbstract { get; }

    /// <summary>The system bus: <c>DBUS_SYSTEM_BUS_ADDRESS</c> when set, else the well-known socket.</summary>
    public static DBusAddress SystemBus =>
        Parse(Environment.GetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS") is { Length: > 0 } env ? env : DefaultSystemBus);

    /// <summary>The session bus from <c>DBUS_SESSION_BUS_ADDRESS</c>, or null when it is not set.</summary>
    public static DBusAddress? SessionBus =>
        Environment.GetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS") is { Length: > 0 } env ? Parse(env) : null;

    /// <summary>Parses an address; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static DBusAddress Parse(string text)
    {
        if (TryParse(text, out var address, out var problem)) return address;
        throw new FormatException($"D-Bus address '{text}': {problem}");
    }

    public static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DBusAddress? address, out string problem)
    {
        address = null;
        problem = "no unix: entry";
        foreach (var entry in text.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            int colon = entry.IndexOf(':');
            if (colon < 0) { problem = $"'{entry}' has no transport prefix"; continue; }
            if (entry[..colon] != "unix") { problem = $"transport '{entry[..colon]}' is not supported (only unix)"; continue; }
            string? path = null, @abstract = null;
            foreach (var pair in entry[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = pair.IndexOf('=');
                if (eq <= 0) { problem = $"'{pair}' is not key=value"; path = @abstract = null; break; }
                if (!TryUnescape(pair[(eq + 1)..], out var value)) { problem = $"bad %-escape in '{pair}'"; path = @abstract = null; break; }
                switch (pair[..eq])
                {
                    case "path": path = value; break;
                    case "abstract": @abstract = value; break;
                    // guid, and keys for servers (tmpdir, dir, runtime) do not change how a client connects.
                }
            }
            if (path is { Length: > 0 }) { address = new DBusAddress(text, path, false); return true; }
            if (@abstract is { Length: > 0 }) { address = new DBusAddress(text, @abstract, true); return true; }
            if (problem == "no unix: entry") problem = "a unix: entry needs path= or abstract=";
        }
        return false;
    }

    internal EndPoint ToEndPoint() => new UnixDomainSocketEndPoint(IsAbstract ? "\0" + SocketPath : SocketPath);

    // Values escape every byte outside [-0-9A-Za-z_/.\*] as %xx ("Server Addresses").
    private static bool TryUnescape(string value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? result)
    {
        result = null;
        if (!value.Contains('%')) { result = value; return true; }
        var bytes = new List<byte>(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] != '%') { bytes.AddRange(Encoding.UTF8.GetBytes(value[i].ToString())); continue; }
            if (i + 2 >= value.Length || !byte.TryParse(value.AsSpan(i + 1, 2), System.Globalization.NumberStyles.HexNumber, null, out byte b))
                return false;
            bytes.Add(b);
            i += 2;
        }
        result = Encoding.UTF8.GetString(bytes.ToArray());
        return true;
    }

    public override string ToString() => Text;
}
