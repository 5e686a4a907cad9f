namespace NetbootPi.Agent.Power;

/// <summary>
/// One host's power, as its <c>power.driver</c> reaches it. An action the driver cannot do (Wake-on-LAN turning a
/// host off) is a reply that says so, not an exception; exceptions are for the driver's medium failing (a socket
/// that is not there, an I²C bus that cannot be opened), with a message naming it.
/// </summary>
public interface IHostPowerDriver : IDisposable
{
    Task<PowerReply> RunAsync(PowerAction action, CancellationToken cancellation);
}
