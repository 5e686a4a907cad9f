namespace NetbootPi.Agent.Site;

/// <summary>The <c>alpine:</c> block of a profile: which Alpine netboot release to boot.</summary>
public sealed record AlpineRelease(string Mirror, string Branch, string Version, string Flavor, string Arch);
