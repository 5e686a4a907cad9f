namespace NetbootPi.Agent.Apply.WireGuard;

/// <summary>Why a peer change was not made (<see cref="None"/>: it was).</summary>
public enum PeerEditProblem
{
    None,
    BadRequest,
    NotFound,
    Conflict,
    /// <summary>The site does not read, before or after the change.</summary>
    Invalid,
}
