using NetbootPi.Protocols.DBus;

namespace NetbootPi.Protocols.Tests.DBus;

public class DBusAddressTests
{
    [Theory]
    [InlineData("unix:path=/run/dbus/system_bus_socket", "/run/dbus/system_bus_socket", false)]
    [InlineData("unix:path=/run/user/0/bus,guid=0123456789abcdef0123456789abcdef", "/run/user/0/bus", false)]
    [InlineData("unix:abstract=/tmp/dbus-XYZ,guid=01", "/tmp/dbus-XYZ", true)]
    [InlineData("tcp:host=localhost,port=1;unix:path=/b", "/b", false)] // first supported entry
    [InlineData("unix:path=/tmp/with%20space", "/tmp/with space", false)]
    public void Parses_unix_addresses(string text, string path, bool isAbstract)
    {
        var address = DBusAddress.Parse(text);
        Assert.Equal((path, isAbstract), (address.SocketPath, address.IsAbstract));
    }

    [Theory]
    [InlineData("")]
    [InlineData("tcp:host=localhost,port=1")]
    [InlineData("unix:")]
    [InlineData("unix:tmpdir=/tmp")] // a server-side key
    [InlineData("unix:path=/a%2")]
    [InlineData("path=/a")]
    public void Rejects_addresses_a_client_cannot_use(string text) =>
        Assert.False(DBusAddress.TryParse(text, out _, out _));
}
