namespace NetbootPi.Agent.Apply.Network;

/// <summary>
/// How operators reach the box: the management network's interface, the box's address there, and whether the
/// firewall lets SSH in on it. The lock-out guard compares these between the running network and a new one.
/// </summary>
public sealed record ManagementAccess(string Network, string Interface, string Address, bool Ssh);
