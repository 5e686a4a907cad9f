using Tmds.DBus.Protocol;

namespace NetbootPi.Agent.Os.DBus;

/// <summary>
/// org.freedesktop.network1.Manager at /org/freedesktop/network1 (systemd-networkd): reload its configuration,
/// reconfigure a link, find links and read the overall operational state. Reference: org.freedesktop.network1(5).
/// </summary>
public sealed class NetworkdManagerProxy : DBusObject
{
    public const string ServiceName = "org.freedesktop.network1";
    public const string ManagerPath = "/org/freedesktop/network1";
    public const string Interface = "org.freedesktop.network1.Manager";

    public NetworkdManagerProxy(DBusConnection connection, string destination = ServiceName)
        : base(connection, destination, ManagerPath)
    {
    }

    /// <summary>Reload(): re-reads .network/.netdev files, creates new netdevs and reconfigures links whose file changed.</summary>
    public Task ReloadAsync()
    {
        return Connection.CallMethodAsync(CreateMessage());

        MessageBuffer CreateMessage()
        {
            using var writer = Connection.GetMessageWriter();
            writer.WriteMethodCallHeader(destination: Destination, path: Path, @interface: Interface, member: "Reload");
            return writer.CreateMessage();
        }
    }

    /// <summary>ReconfigureLink(i ifindex): applies the link's .network file again, from scratch.</summary>
    public Task ReconfigureLinkAsync(int ifindex)
    {
        return Connection.CallMethodAsync(CreateMessage());

        MessageBuffer CreateMessage()
        {
            using var writer = Connection.GetMessageWriter();
            writer.WriteMethodCallHeader(destination: Destination, path: Path, @interface: Interface, member: "ReconfigureLink", signature: "i");
            writer.WriteInt32(ifindex);
            return writer.CreateMessage();
        }
    }

    /// <summary>ListLinks() -> (a(iso) links): every link networkd knows, managed or not.</summary>
    public Task<(int Index, string Name, ObjectPath Path)[]> ListLinksAsync()
    {
        return Connection.CallMethodAsync(CreateMessage(), static (Message m, object? _) =>
        {
            var reader = m.GetBodyReader();
            var links = new List<(int, string, ObjectPath)>();
            ArrayEnd end = reader.ReadArrayStart(DBusType.Struct);
            while (reader.HasNext(end))
            {
                reader.AlignStruct();
                links.Add((reader.ReadInt32(), reader.ReadString(), reader.ReadObjectPath()));
            }
            return links.ToArray();
        });

        MessageBuffer CreateMessage()
        {
            using var writer = Connection.GetMessageWriter();
            writer.WriteMethodCallHeader(destination: Destination, path: Path, @interface: Interface, member: "ListLinks");
            return writer.CreateMessage();
        }
    }

    /// <summary>GetLinkByName(s name) -> (i ifindex, o path); an error reply when networkd does not know it (systemd 252 names it org.freedesktop.resolve1.NoSuchLink).</summary>
    public Task<(int Index, ObjectPath Path)> GetLinkByNameAsync(string name)
    {
        return Connection.CallMethodAsync(CreateMessage(), static (Message m, object? _) =>
        {
            var reader = m.GetBodyReader();
            return (reader.ReadInt32(), reader.ReadObjectPath());
        });

        MessageBuffer CreateMessage()
        {
            using var writer = Connection.GetMessageWriter();
            writer.WriteMethodCallHeader(destination: Destination, path: Path, @interface: Interface, member: "GetLinkByName", signature: "s");
            writer.WriteString(name);
            return writer.CreateMessage();
        }
    }

    /// <summary>The OperationalState property: the best state over all links ("routable", "degraded", "no-carrier", "off", ...).</summary>
    public Task<string> GetOperationalStateAsync() =>
        Connection.CallMethodAsync(DBusProperties.CreateGet(this, Interface, "OperationalState"),
            static (Message m, object? _) => DBusProperties.ReadStringValue(m));
}
