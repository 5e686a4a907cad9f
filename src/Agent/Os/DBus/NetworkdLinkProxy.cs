using Tmds.DBus.Protocol;

namespace NetbootPi.Agent.Os.DBus;

/// <summary>
/// org.freedesktop.network1.Link at a link's object path (from <see cref="NetworkdManagerProxy"/>): its states
/// (networkctl's OPERATIONAL and SETUP columns) and their changes as PropertiesChanged signals.
/// </summary>
public sealed class NetworkdLinkProxy : DBusObject
{
    public const string Interface = "org.freedesktop.network1.Link";

    private static readonly HashSet<string> StateProperties =
        ["OperationalState", "CarrierState", "AddressState", "AdministrativeState"];

    public NetworkdLinkProxy(DBusConnection connection, ObjectPath path, string destination = NetworkdManagerProxy.ServiceName)
        : base(connection, destination, path)
    {
    }

    /// <summary>
    /// OperationalState ("routable", "degraded", "carrier", "no-carrier", "off", ...) and AdministrativeState
    /// ("configured", "configuring", "unmanaged", "failed", ...) from one GetAll.
    /// </summary>
    public Task<(string OperationalState, string AdministrativeState)> GetStatesAsync() =>
        Connection.CallMethodAsync(DBusProperties.CreateGetAll(this, Interface), static (Message m, object? _) =>
        {
            var reader = m.GetBodyReader();
            var values = DBusProperties.ReadStrings(ref reader, StateProperties);
            return (Get(values, "OperationalState"), Get(values, "AdministrativeState"));
        });

    /// <summary>
    /// PropertiesChanged of this link, reduced to OperationalState, CarrierState, AddressState and
    /// AdministrativeState; a state named without a value was invalidated and must be read again.
    /// </summary>
    public ValueTask<IDisposable> WatchStatesChangedAsync(Action<Notification<Dictionary<string, string?>>> handler,
        bool emitOnCapturedContext = true, ObserverFlags flags = ObserverFlags.None) =>
        Connection.WatchPropertiesChangedAsync(Destination, Path, Interface,
            static (Message m, object? _) => DBusProperties.ReadChanges(m, StateProperties),
            handler, flags, emitOnCapturedContext);

    private static string Get(Dictionary<string, string> values, string name) =>
        values.TryGetValue(name, out var value)
            ? value
            : throw new DBusUnexpectedValueException($"networkd's GetAll({Interface}) has no string {name}");
}
