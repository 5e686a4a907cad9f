namespace NetbootPi.Agent.Site;

/// <summary>Traffic the box routes from one of its networks to another (<c>firewall.forward</c>); replies return.</summary>
public sealed record ForwardRule(string From, string To);
