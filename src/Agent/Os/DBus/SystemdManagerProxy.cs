using NetbootPi.Agent.Os.Systemd;
using Tmds.DBus.Protocol;

namespace NetbootPi.Agent.Os.DBus;

/// <summary>
/// org.freedesktop.systemd1.Manager at /org/freedesktop/systemd1: the calls and the signal the agent uses, written
/// by hand in the shape of Tmds.DBus's generated proxies (one method per D-Bus method, the message written with
/// <see cref="MessageWriter"/> and the reply read with <see cref="Reader"/>). Reference: org.freedesktop.systemd1(5).
/// </summary>
public sealed class SystemdManagerProxy : DBusObject
{
    public const string ServiceName = "org.freedesktop.systemd1";
    public const string ManagerPath = "/org/freedesktop/systemd1";
    public const string Interface = "org.freedesktop.systemd1.Manager";

    public SystemdManagerProxy(DBusConnection connection, string destination = ServiceName)
        : base(connection, destination, ManagerPath)
    {
    }

    /// <summary>StartUnit(s name, s mode) -> (o job).</summary>
    public Task<ObjectPath> StartUnitAsync(string name, string mode) => CallUnitJobAsync("StartUnit", name, mode);

    /// <summary>StopUnit(s name, s mode) -> (o job).</summary>
    public Task<ObjectPath> StopUnitAsync(string name, string mode) => CallUnitJobAsync("StopUnit", name, mode);

    /// <summary>RestartUnit(s name, s mode) -> (o job).</summary>
    public Task<ObjectPath> RestartUnitAsync(string name, string mode) => CallUnitJobAsync("RestartUnit", name, mode);

    /// <summary>ReloadOrRestartUnit(s name, s mode) -> (o job).</summary>
    public Task<ObjectPath> ReloadOrRestartUnitAsync(string name, string mode) => CallUnitJobAsync("ReloadOrRestartUnit", name, mode);

    /// <summary>
    /// StartTransientUnit(s name, s mode, a(sv) properties, a(sa(sv)) aux) -> (o job): makes a unit that exists only
    /// while it is loaded (no file) and starts it. No auxiliary units.
    /// </summary>
    public Task<ObjectPath> StartTransientUnitAsync(string name, string mode, IReadOnlyList<UnitProperty> properties)
    {
        return Connection.CallMethodAsync(CreateMessage(), static (Message m, object? _) => m.GetBodyReader().ReadObjectPath());

        MessageBuffer CreateMessage()
        {
            using var writer = Connection.GetMessageWriter();
            writer.WriteMethodCallHeader(destination: Destination, path: Path, @interface: Interface, member: "StartTransientUnit", signature: "ssa(sv)a(sa(sv))");
            writer.WriteString(name);
            writer.WriteString(mode);
            var all = writer.WriteArrayStart(DBusType.Struct);
            foreach (var p in properties)
            {
                writer.WriteStructureStart();
                writer.WriteString(p.Name);
                // A variant is its signature followed by the value.
                writer.WriteSignature(p.Signature);
                switch (p.Value)
                {
                    case string s:
                        writer.WriteString(s);
                        break;
                    case bool b:
                        writer.WriteBool(b);
                        break;
                    case uint u:
                        writer.WriteUInt32(u);
                        break;
                    case ulong t:
                        writer.WriteUInt64(t);
                        break;
                    case string[] list:
                        writer.WriteArray(list);
                        break;
                    case UnitProperty.ExecCommand exec:
                    {
                        var commands = writer.WriteArrayStart(DBusType.Struct);
                        writer.WriteStructureStart();
                        writer.WriteString(exec.Path);
                        writer.WriteArray(exec.Argv);
                        writer.WriteBool(false);
                        writer.WriteArrayEnd(commands);
                        break;
                    }
                    case (string Path, string Access)[] devices:
                    {
                        var start = writer.WriteArrayStart(DBusType.Struct);
                        foreach (var (path, access) in devices)
                        {
                            writer.WriteStructureStart();
                            writer.WriteString(path);
                            writer.WriteString(access);
                        }
                        writer.WriteArrayEnd(start);
                        break;
                    }
                    case ValueTuple<bool, string[]> list:
                        writer.WriteStructureStart();
                        writer.WriteBool(list.Item1);
                        writer.WriteArray(list.Item2);
                        break;
                    default:
                        throw new InvalidOperationException($"unit property {p.Name} has a value of a shape the proxy does not write ({p.Signature})");
                }
            }
            writer.WriteArrayEnd(all);
            var aux = writer.WriteArrayStart(DBusType.Struct);
            writer.WriteArrayEnd(aux);
            return writer.CreateMessage();
        }
    }

    /// <summary>ResetFailedUnit(s name): forgets a failed unit's state (and unloads a failed transient unit).</summary>
    public Task ResetFailedUnitAsync(string name)
    {
        return Connection.CallMethodAsync(CreateMessage());

        MessageBuffer CreateMessage()
        {
            using var writer = Connection.GetMessageWriter();
            writer.WriteMethodCallHeader(destination: Destination, path: Path, @interface: Interface, member: "ResetFailedUnit", signature: "s");
            writer.WriteString(name);
            return writer.CreateMessage();
        }
    }

    /// <summary>LoadUnit(s name) -> (o unit): like GetUnit, but also for a unit that is not loaded yet.</summary>
    public Task<ObjectPath> LoadUnitAsync(string name)
    {
        return Connection.CallMethodAsync(CreateMessage(), static (Message m, object? _) => m.GetBodyReader().ReadObjectPath());

        MessageBuffer CreateMessage()
        {
            using var writer = Connection.GetMessageWriter();
            writer.WriteMethodCallHeader(destination: Destination, path: Path, @interface: Interface, member: "LoadUnit", signature: "s");
            writer.WriteString(name);
            return writer.CreateMessage();
        }
    }

    /// <summary>EnableUnitFiles(as files, b runtime, b force) -> (b carries_install_info, a(sss) changes).</summary>
    public Task<(bool CarriesInstallInfo, (string Type, string FileName, string Destination)[] Changes)> EnableUnitFilesAsync(
        IReadOnlyList<string> files, bool runtime, bool force)
    {
        return Connection.CallMethodAsync(CreateMessage(), static (Message m, object? _) =>
        {
            var reader = m.GetBodyReader();
            bool carriesInstallInfo = reader.ReadBool();
            return (carriesInstallInfo, ReadChanges(ref reader));
        });

        MessageBuffer CreateMessage()
        {
            using var writer = Connection.GetMessageWriter();
            writer.WriteMethodCallHeader(destination: Destination, path: Path, @interface: Interface, member: "EnableUnitFiles", signature: "asbb");
            writer.WriteArray(files);
            writer.WriteBool(runtime);
            writer.WriteBool(force);
            return writer.CreateMessage();
        }
    }

    /// <summary>DisableUnitFiles(as files, b runtime) -> (a(sss) changes).</summary>
    public Task<(string Type, string FileName, string Destination)[]> DisableUnitFilesAsync(IReadOnlyList<string> files, bool runtime)
    {
        return Connection.CallMethodAsync(CreateMessage(), static (Message m, object? _) =>
        {
            var reader = m.GetBodyReader();
            return ReadChanges(ref reader);
        });

        MessageBuffer CreateMessage()
        {
            using var writer = Connection.GetMessageWriter();
            writer.WriteMethodCallHeader(destination: Destination, path: Path, @interface: Interface, member: "DisableUnitFiles", signature: "asb");
            writer.WriteArray(files);
            writer.WriteBool(runtime);
            return writer.CreateMessage();
        }
    }

    /// <summary>Reload(): re-reads every unit file (systemctl daemon-reload); the reply comes when it is done.</summary>
    public Task ReloadAsync() => Connection.CallMethodAsync(CreateNoArgumentCall("Reload"));

    /// <summary>
    /// Subscribe(): systemd sends its signals (JobRemoved, PropertiesChanged of units) only while some client on
    /// the bus has subscribed; a subscription ends with its connection.
    /// </summary>
    public Task SubscribeAsync() => Connection.CallMethodAsync(CreateNoArgumentCall("Subscribe"));

    /// <summary>JobRemoved(u id, o job, s unit, s result): a job finished with "done", "canceled", "timeout", "failed", "dependency" or "skipped".</summary>
    public ValueTask<IDisposable> WatchJobRemovedAsync(Action<Notification<(uint Id, ObjectPath Job, string Unit, string Result)>> handler,
        bool emitOnCapturedContext = true, ObserverFlags flags = ObserverFlags.None) =>
        Connection.WatchSignalAsync(Destination, Path, Interface, "JobRemoved", static (Message m, object? _) =>
        {
            var reader = m.GetBodyReader();
            return (reader.ReadUInt32(), reader.ReadObjectPath(), reader.ReadString(), reader.ReadString());
        }, handler, flags, emitOnCapturedContext);

    private Task<ObjectPath> CallUnitJobAsync(string member, string name, string mode)
    {
        return Connection.CallMethodAsync(CreateMessage(), static (Message m, object? _) => m.GetBodyReader().ReadObjectPath());

        MessageBuffer CreateMessage()
        {
            using var writer = Connection.GetMessageWriter();
            writer.WriteMethodCallHeader(destination: Destination, path: Path, @interface: Interface, member: member, signature: "ss");
            writer.WriteString(name);
            writer.WriteString(mode);
            return writer.CreateMessage();
        }
    }

    private MessageBuffer CreateNoArgumentCall(string member)
    {
        using var writer = Connection.GetMessageWriter();
        writer.WriteMethodCallHeader(destination: Destination, path: Path, @interface: Interface, member: member);
        return writer.CreateMessage();
    }

    private static (string Type, string FileName, string Destination)[] ReadChanges(ref Reader reader)
    {
        var changes = new List<(string, string, string)>();
        ArrayEnd end = reader.ReadArrayStart(DBusType.Struct);
        while (reader.HasNext(end))
        {
            reader.AlignStruct();
            changes.Add((reader.ReadString(), reader.ReadString(), reader.ReadString()));
        }
        return [.. changes];
    }
}
