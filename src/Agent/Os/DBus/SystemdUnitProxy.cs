using Tmds.DBus.Protocol;

namespace NetbootPi.Agent.Os.DBus;

/// <summary>
/// org.freedesktop.systemd1.Unit at a unit's object path (from <see cref="SystemdManagerProxy.LoadUnitAsync"/>):
/// its states, read together, and their changes as PropertiesChanged signals.
/// </summary>
public sealed class SystemdUnitProxy : DBusObject
{
    public const string Interface = "org.freedesktop.systemd1.Unit";

    private static readonly HashSet<string> StateProperties = ["LoadState", "ActiveState", "SubState"];

    public SystemdUnitProxy(DBusConnection connection, ObjectPath path, string destination = SystemdManagerProxy.ServiceName)
        : base(connection, destination, path)
    {
    }

    /// <summary>
    /// LoadState, ActiveState and SubState from one GetAll, so the three belong to the same moment (three Gets
    /// could straddle a state change).
    /// </summary>
    public Task<(string LoadState, string ActiveState, string SubState)> GetStatesAsync() =>
        Connection.CallMethodAsync(DBusProperties.CreateGetAll(this, Interface), static (Message m, object? _) =>
        {
            var reader = m.GetBodyReader();
            var values = DBusProperties.ReadStrings(ref reader, StateProperties);
            return (Get(values, "LoadState"), Get(values, "ActiveState"), Get(values, "SubState"));
        });

    /// <summary>
    /// PropertiesChanged of this unit's Unit interface, reduced to LoadState, ActiveState and SubState (systemd
    /// sends them only after <see cref="SystemdManagerProxy.SubscribeAsync"/>); a state named without a value was
    /// invalidated and must be read again.
    /// </summary>
    public ValueTask<IDisposable> WatchStatesChangedAsync(Action<Notification<Dictionary<string, string?>>> handler,
        bool emitOnCapturedContext = true, ObserverFlags flags = ObserverFlags.None) =>
        Connection.WatchPropertiesChangedAsync(Destination, Path, Interface,
            static (Message m, object? _) => DBusProperties.ReadChanges(m, StateProperties),
            handler, flags, emitOnCapturedContext);

    private static string Get(Dictionary<string, string> values, string name) =>
        values.TryGetValue(name, out var value)
            ? value
            : throw new DBusUnexpectedValueException($"systemd's GetAll({Interface}) has no string {name}");
}
