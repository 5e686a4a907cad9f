namespace NetbootPi.Agent.Control;

/// <summary>
/// An area's endpoints on the control API (status, the site, later the network, power, media...). Each area
/// registers its own; the control service serves all of them and checks every caller's role before a handler runs.
/// </summary>
public interface IControlEndpoints
{
    IEnumerable<ControlRoute> Routes { get; }
}
