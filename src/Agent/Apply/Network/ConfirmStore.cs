using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using NetbootPi.Agent.Os.Files;
using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Apply.Network;

/// <summary>
/// <see cref="ConfirmState"/> in one JSON file in the state directory (<c>STATE_DIR/network.json</c>), replaced
/// atomically on every change: after a power cut it is the state before a change or after it, never between.
/// </summary>
public sealed class ConfirmStore(string path, IAtomicFiles files)
{
    public const string FileName = "network.json";

    public string Path { get; } = path;

    /// <summary>The stored state; <see cref="ConfirmState.Initial"/> when there is none.</summary>
    /// <exception cref="InvalidDataException">The file is not one this agent wrote (the message names it).</exception>
    public ConfirmState Load()
    {
        if (!File.Exists(Path)) return ConfirmState.Initial;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(Path));
            var root = doc.RootElement;
            var pending = root.GetProperty("pending");
            return new ConfirmState(
                ReadWanted(root.GetProperty("confirmed")),
                pending.ValueKind == JsonValueKind.Null ? null : new PendingChange(
                    ReadWanted(pending.GetProperty("wanted"))!,
                    DateTimeOffset.Parse(pending.GetProperty("deadline").GetString()!, CultureInfo.InvariantCulture),
                    pending.GetProperty("source").GetString()!),
                ReadWanted(root.GetProperty("rejected")));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"{Path}: not a network state this agent wrote ({e.Message}); move it away to start from the site file's network", e);
        }
    }

    /// <summary>Replaces the stored state with <paramref name="state"/> (temp file, fsync, rename).</summary>
    public void Save(ConfirmState state)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            WriteWanted(w, "confirmed", state.Confirmed);
            if (state.Pending is { } p)
            {
                w.WriteStartObject("pending");
                w.WriteString("deadline", p.Deadline.ToString("O", CultureInfo.InvariantCulture));
                w.WriteString("source", p.Source);
                WriteWanted(w, "wanted", p.Wanted);
                w.WriteEndObject();
            }
            else w.WriteNull("pending");
            WriteWanted(w, "rejected", state.Rejected);
            w.WriteEndObject();
        }
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        files.Write(Path, buffer.WrittenSpan, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private static void WriteWanted(Utf8JsonWriter w, string name, NetworkWanted? wanted)
    {
        if (wanted is null)
        {
            w.WriteNull(name);
            return;
        }
        w.WriteStartObject(name);
        w.WriteString("backend", wanted.Backend.ToString());
        WriteFiles(w, "networkd", wanted.Networkd);
        WriteFiles(w, "netctl", wanted.Netctl);
        if (wanted.Nftables is null) w.WriteNull("nftables");
        else w.WriteString("nftables", wanted.Nftables);
        if (wanted.Management is { } m)
        {
            w.WriteStartObject("management");
            w.WriteString("network", m.Network);
            w.WriteString("interface", m.Interface);
            w.WriteString("address", m.Address);
            w.WriteBoolean("ssh", m.Ssh);
            w.WriteEndObject();
        }
        else w.WriteNull("management");
        w.WriteEndObject();
    }

    private static void WriteFiles(Utf8JsonWriter w, string name, ImmutableSortedDictionary<string, string> files)
    {
        w.WriteStartObject(name);
        foreach (var (file, content) in files) w.WriteString(file, content);
        w.WriteEndObject();
    }

    private static NetworkWanted? ReadWanted(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Null) return null;
        var m = e.GetProperty("management");
        var nft = e.GetProperty("nftables");
        return new NetworkWanted(
            Enum.Parse<NetworkBackend>(e.GetProperty("backend").GetString()!),
            ReadFiles(e.GetProperty("networkd")),
            ReadFiles(e.GetProperty("netctl")),
            nft.ValueKind == JsonValueKind.Null ? null : nft.GetString(),
            m.ValueKind == JsonValueKind.Null ? null : new ManagementAccess(
                m.GetProperty("network").GetString()!, m.GetProperty("interface").GetString()!,
                m.GetProperty("address").GetString()!, m.GetProperty("ssh").GetBoolean()));
    }

    private static ImmutableSortedDictionary<string, string> ReadFiles(JsonElement e) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
            e.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetString()!)));
}
