namespace NetbootPi.Agent.Os.Network;

/// <summary>A link as networkd sees it: networkctl's IDX, LINK, OPERATIONAL and SETUP columns.</summary>
public sealed record NetworkdLink(int Index, string Name, string OperationalState, string AdministrativeState);
