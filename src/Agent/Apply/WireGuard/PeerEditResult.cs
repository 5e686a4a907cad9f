using NetbootPi.Agent.Site;

namespace NetbootPi.Agent.Apply.WireGuard;

/// <summary>
/// How a peer change ended: done (the message says what, <see cref="Site"/> is the site read again, <see cref="Peer"/>
/// the peer as it reads there now), or refused with a sentence and, for an invalid site, its located errors.
/// </summary>
public sealed record PeerEditResult(PeerEditProblem Problem, string Message, IReadOnlyList<SiteError> Errors, SiteInventory? Site, WireGuardPeer? Peer)
{
    public bool Done => Problem == PeerEditProblem.None;

    internal static PeerEditResult Refused(PeerEditProblem problem, string message) => new(problem, message, [], null, null);

    internal static PeerEditResult Invalid(string message, IReadOnlyList<SiteError> errors) => new(PeerEditProblem.Invalid, message, errors, null, null);
}
