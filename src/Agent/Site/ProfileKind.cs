namespace NetbootPi.Agent.Site;

/// <summary>What a boot profile boots: an Alpine release, a kernel, the local disk, a menu of profiles, or an image of the catalog (sanboot).</summary>
public enum ProfileKind { Alpine, Kernel, Local, Menu, Sanboot }
